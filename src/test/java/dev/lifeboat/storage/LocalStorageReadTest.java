package dev.lifeboat.storage;

import dev.lifeboat.storage.local.LocalStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading a range straight into a direct buffer: the same bytes as load, the same errors, through every wrapper. */
class LocalStorageReadTest {
    @TempDir
    Path dir;

    @Test
    void readsRangesIntoDirectBuffersLikeLoadThroughEveryWrapper() throws Exception {
        LocalStorage local = LocalStorage.create(dir.resolve("repo"));
        byte[] data = new byte[3 << 20];
        new Random(3).nextBytes(data);
        local.save("data/ab/pack", data);
        Storage retrying = new RetryingStorage(local);
        for (Storage s : List.of(local, retrying, new CachingStorage(retrying, dir.resolve("cache")))) {
            ByteBuffer dst = ByteBuffer.allocateDirect(2 << 20);
            dst.position(100).limit(200); // whatever state the buffer is left in by its last use
            s.read("data/ab/pack", 12_345, (1 << 20) + 7, dst);
            assertEquals(0, dst.position());
            assertEquals((1 << 20) + 7, dst.limit());
            byte[] got = new byte[dst.remaining()];
            dst.get(got);
            assertArrayEquals(Arrays.copyOfRange(data, 12_345, 12_345 + (1 << 20) + 7), got, s.getClass().getSimpleName());
            assertArrayEquals(s.load("data/ab/pack", 12_345, (1 << 20) + 7), got);

            EOFException past = assertThrows(EOFException.class, () -> s.read("data/ab/pack", data.length - 10, 20, dst));
            assertTrue(past.getMessage().contains("truncated") && past.getMessage().contains("data/ab/pack"), past.getMessage());
            assertThrows(ObjectNotFoundException.class, () -> s.read("data/cd/nope", 0, 10, dst));
        }
    }
}
