package dev.lifeboat.storage.s3;

import dev.lifeboat.storage.ObjectInfo;
import dev.lifeboat.storage.ObjectNotFoundException;
import dev.lifeboat.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Storage contract against a real S3 API (S3Proxy), no mocks. */
class S3StorageTest {
    static S3ProxyServer server;
    static final String BUCKET = "contract";

    @TempDir
    Path tmp;
    S3Storage storage;
    String prefix;

    @BeforeAll
    static void startServer() throws IOException {
        server = S3ProxyServer.shared();
        server.createBucket(BUCKET);
    }

    @BeforeEach
    void open() {
        prefix = "repo-" + UUID.randomUUID().toString().substring(0, 8);
        S3Location loc = S3Location.parse(server.location(BUCKET, prefix));
        storage = new S3Storage(loc, S3Options.of(loc, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY));
    }

    @AfterEach
    void close() throws IOException {
        storage.close();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void saveLoadSizeRangeDelete() throws IOException {
        byte[] data = random(100_000, 1);
        assertEquals(-1, storage.size("config"));
        storage.save("config", data);
        assertEquals(100_000, storage.size("config"));
        assertArrayEquals(data, storage.load("config"));
        assertArrayEquals(Arrays.copyOfRange(data, 1234, 1234 + 5000), storage.load("config", 1234, 5000));
        assertArrayEquals(Arrays.copyOfRange(data, 99_990, 100_000), storage.load("config", 99_990, 10));
        assertArrayEquals(new byte[0], storage.load("config", 10, 0));
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(6000);
        direct.position(7);
        storage.read("config", 1234, 5000, direct);
        assertEquals(0, direct.position());
        assertEquals(5000, direct.limit());
        byte[] got = new byte[5000];
        direct.get(got);
        assertArrayEquals(Arrays.copyOfRange(data, 1234, 1234 + 5000), got);
        // overwrite is atomic and visible
        storage.save("config", new byte[]{1, 2, 3});
        assertArrayEquals(new byte[]{1, 2, 3}, storage.load("config"));
        storage.save("empty", new byte[0]);
        assertEquals(0, storage.size("empty"));
        assertArrayEquals(new byte[0], storage.load("empty"));
        storage.delete("config");
        assertEquals(-1, storage.size("config"));
        storage.delete("config"); // missing is fine
        storage.delete("never-existed");
        assertTrue(storage.location().startsWith("s3:http://127.0.0.1:"), storage.location());
        assertTrue(storage.location().endsWith("/" + BUCKET + "/" + prefix), storage.location());
        assertFalse(storage.location().contains(S3ProxyServer.SECRET_KEY));
    }

    @Test
    void objectStorageSaysItIsRemoteThroughEveryWrapperAndALocalDirectoryDoesNot(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        // Repository reads trees by whole packs only from remote storage, with or without a metadata cache.
        assertTrue(storage.remote());
        assertTrue(new dev.lifeboat.storage.RetryingStorage(storage).remote());
        assertTrue(new dev.lifeboat.storage.CachingStorage(new dev.lifeboat.storage.RetryingStorage(storage), dir.resolve("c")).remote());
        dev.lifeboat.storage.local.LocalStorage local = new dev.lifeboat.storage.local.LocalStorage(dir.resolve("r"));
        org.junit.jupiter.api.Assertions.assertFalse(new dev.lifeboat.storage.RetryingStorage(local).remote());
    }

    @Test
    void missingObjectsAndShortRanges() throws IOException {
        assertThrows(ObjectNotFoundException.class, () -> storage.load("snapshots/nope"));
        assertThrows(ObjectNotFoundException.class, () -> storage.load("snapshots/nope", 0, 10));
        assertThrows(ObjectNotFoundException.class, () -> storage.load("snapshots/nope", 0, 0));
        storage.save("data/00/short", random(100, 2));
        assertThrows(ObjectNotFoundException.class, () -> storage.read("snapshots/nope", 0, 10, java.nio.ByteBuffer.allocateDirect(10)));
        assertThrows(EOFException.class, () -> storage.read("data/00/short", 90, 20, java.nio.ByteBuffer.allocateDirect(20)));
        EOFException past = assertThrows(EOFException.class, () -> storage.load("data/00/short", 90, 20));
        assertTrue(past.getMessage().contains("truncated"), past.getMessage());
        EOFException beyond = assertThrows(EOFException.class, () -> storage.load("data/00/short", 500, 20));
        assertTrue(beyond.getMessage().contains("data/00/short"), beyond.getMessage());
        assertEquals(List.of(), storage.list("index/"));
    }

    @Test
    void listPaginatesAndIsScopedToPrefix() throws Exception {
        int n = 1100; // more than one ListObjectsV2 page (1000)
        Set<String> expected = new TreeSet<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = String.format("data/%02x/obj-%05d", i % 256, i);
                expected.add(name);
                int size = i % 7;
                futures.add(pool.submit(() -> {
                    storage.save(name, new byte[size]);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        storage.save("index/one", new byte[5]);
        storage.save("datax", new byte[1]);
        List<ObjectInfo> data = storage.list("data/");
        assertEquals(expected, data.stream().map(ObjectInfo::name).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(n, data.size());
        for (ObjectInfo o : data) {
            int i = Integer.parseInt(o.name().substring(o.name().length() - 5));
            assertEquals(i % 7, o.size(), o.name());
        }
        assertEquals(List.of(new ObjectInfo("index/one", 5)), storage.list("index/"));
        assertEquals(n + 2, storage.list("").size());
        try (var s3 = server.client()) {
            assertTrue(s3.listObjectsV2(r -> r.bucket(BUCKET).prefix(prefix + "/data/")).isTruncated(),
                    "the server pages at 1000 keys, so list() followed continuation tokens");
        }
        // another prefix in the same bucket sees none of it
        S3Location other = S3Location.parse(server.location(BUCKET, prefix + "-other"));
        try (S3Storage s = new S3Storage(other, S3Options.of(other, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY))) {
            assertEquals(List.of(), s.list(""));
        }
    }

    @Test
    void saveFileSinglePutAndMultipart() throws IOException {
        Path staging = storage.stagingDir();
        assertTrue(Files.isDirectory(staging));
        assertEquals(staging, storage.stagingDir());

        Path small = Files.createTempFile(staging, "pack-", ".tmp");
        byte[] smallData = random(3 * 1024 * 1024, 3);
        Files.write(small, smallData);
        storage.saveFile("data/ab/small", small);
        assertFalse(Files.exists(small), "staged file is consumed");
        assertArrayEquals(smallData, storage.load("data/ab/small"));

        Path big = tmp.resolve("big");
        byte[] bigData = random(40 * 1024 * 1024 + 12345, 4); // > 16 MiB: multipart, 6 parts
        Files.write(big, bigData);
        storage.saveFile("data/cd/big", big);
        assertTrue(Files.exists(big), "files outside the staging dir are left alone");
        assertEquals(bigData.length, storage.size("data/cd/big"));
        try (var s3 = server.client()) {
            assertTrue(s3.headObject(r -> r.bucket(BUCKET).key(prefix + "/data/cd/big")).eTag().contains("-"),
                    "a multipart upload's ETag has a part count suffix");
        }
        // ranges across part boundaries
        int boundary = 8 * 1024 * 1024;
        assertArrayEquals(Arrays.copyOfRange(bigData, boundary - 100, boundary + 100), storage.load("data/cd/big", boundary - 100, 200));
        assertArrayEquals(Arrays.copyOfRange(bigData, bigData.length - 7, bigData.length),
                storage.load("data/cd/big", bigData.length - 7, 7));
        assertArrayEquals(bigData, storage.load("data/cd/big"));
        storage.close();
        assertFalse(Files.exists(staging), "staging dir removed on close");
    }

    @Test
    void errorsAreOneClearLine() throws IOException {
        S3Location loc = S3Location.parse(server.location(BUCKET, prefix));
        try (S3Storage wrong = new S3Storage(loc, S3Options.of(loc, S3ProxyServer.ACCESS_KEY, "not-the-secret"))) {
            IOException e = assertThrows(IOException.class, () -> wrong.size("config"));
            assertEquals("access denied to " + loc + ": check credentials", e.getMessage());
            assertThrows(IOException.class, () -> wrong.save("config", new byte[1]));
            assertThrows(IOException.class, () -> wrong.list(""));
        }
        S3Location noBucket = S3Location.parse(server.location("no-such-bucket", "x"));
        try (S3Storage s = new S3Storage(noBucket, S3Options.of(noBucket, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY))) {
            IOException e = assertThrows(IOException.class, () -> s.size("config"));
            assertTrue(e.getMessage().startsWith("bucket no-such-bucket does not exist"), e.getMessage());
            e = assertThrows(IOException.class, () -> s.list("snapshots/"));
            assertTrue(e.getMessage().startsWith("bucket no-such-bucket does not exist"), e.getMessage());
            e = assertThrows(IOException.class, () -> s.save("config", new byte[1]));
            assertTrue(e.getMessage().startsWith("bucket no-such-bucket does not exist"), e.getMessage());
        }
    }
}
