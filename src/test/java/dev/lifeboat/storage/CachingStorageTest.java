package dev.lifeboat.storage;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.storage.local.LocalStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CachingStorageTest {
    @TempDir
    Path tmp;

    static String named(String dir, byte[] data) {
        return dir + Repository.sha256Hex(data);
    }

    @Test
    void keepsContentAddressedObjectsAndChecksThemOnEveryRead() throws Exception {
        LocalStorage backend = LocalStorage.create(tmp.resolve("repo"));
        CachingStorage cache = new CachingStorage(backend, tmp.resolve("cache"));
        byte[] index = "index bytes".getBytes(StandardCharsets.UTF_8);
        String indexName = named("index/", index);
        backend.save(indexName, index);
        byte[] pack = "a tree pack".getBytes(StandardCharsets.UTF_8);
        String packName = "data/" + Repository.sha256Hex(pack).substring(0, 2) + "/" + Repository.sha256Hex(pack);
        cache.save(packName, pack);

        assertArrayEquals(index, cache.load(indexName));
        assertArrayEquals(index, cache.cached(indexName), "a whole read is kept");
        assertArrayEquals(pack, cache.cached(packName), "a save is kept");
        assertEquals(List.of(indexName), cache.cachedNames("index/"));
        assertEquals(List.of(packName), cache.cachedNames("data/"));

        // a damaged copy is dropped and read again from the backend
        Path copy = tmp.resolve("cache").resolve(indexName);
        Files.write(copy, "tampered".getBytes(StandardCharsets.UTF_8));
        assertNull(cache.cached(indexName));
        assertFalse(Files.exists(copy));
        assertArrayEquals(index, cache.load(indexName));
        assertArrayEquals(index, Files.readAllBytes(copy));

        // ranges pass through and are served by the backend
        assertArrayEquals("tree".getBytes(StandardCharsets.UTF_8), cache.load(packName, 2, 4));
    }

    @Test
    void cachesNothingThatCouldChangeUnderItsName() throws Exception {
        LocalStorage backend = LocalStorage.create(tmp.resolve("repo"));
        CachingStorage cache = new CachingStorage(backend, tmp.resolve("cache"));
        cache.save("config", new byte[]{1, 2, 3});
        cache.save("locks/abc", new byte[]{4});
        assertArrayEquals(new byte[]{1, 2, 3}, cache.load("config"));
        assertNull(cache.cached("config"));
        assertFalse(Files.exists(tmp.resolve("cache").resolve("config")));

        // an object whose bytes do not match its name is returned for the caller to judge, never kept
        byte[] data = "real".getBytes(StandardCharsets.UTF_8);
        String name = named("snapshots/", data);
        backend.save(name, "truncated".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("truncated".getBytes(StandardCharsets.UTF_8), cache.load(name));
        assertNull(cache.cached(name));
        assertTrue(cache.cachedNames("snapshots/").isEmpty());
    }

    @Test
    void listingDropsWhatTheBackendNoLongerHas() throws Exception {
        LocalStorage backend = LocalStorage.create(tmp.resolve("repo"));
        CachingStorage cache = new CachingStorage(backend, tmp.resolve("cache"));
        byte[] a = {1}, b = {2};
        cache.save(named("snapshots/", a), a);
        cache.save(named("snapshots/", b), b);
        backend.delete(named("snapshots/", a)); // as prune or forget in another process
        assertEquals(1, cache.list("snapshots/").size());
        assertEquals(List.of(named("snapshots/", b)), cache.cachedNames("snapshots/"));
        cache.delete(named("snapshots/", b));
        assertTrue(cache.cachedNames("snapshots/").isEmpty());
        assertThrows(ObjectNotFoundException.class, () -> cache.load(named("snapshots/", b)));
    }

    @Test
    void aCacheThatCannotBeWrittenOnlyCostsSpeed() throws Exception {
        LocalStorage backend = LocalStorage.create(tmp.resolve("repo"));
        Path blocked = tmp.resolve("blocked");
        Files.writeString(blocked, "a file where the cache directory should be");
        CachingStorage cache = new CachingStorage(backend, blocked.resolve("sub"));
        byte[] data = {9, 9};
        cache.save(named("index/", data), data);
        assertArrayEquals(data, cache.load(named("index/", data)));
        assertNull(cache.cached(named("index/", data)));
        assertTrue(cache.cachedNames("index/").isEmpty());
    }
}
