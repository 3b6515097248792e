package dev.lifeboat.chunking;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastCdcTest {
    static final ChunkerParams SMALL = new ChunkerParams(2048, 8192, 65536);
    static final byte[] SEED = new byte[32];

    static List<Integer> sizes(byte[] data, ChunkerParams p, byte[] seed, InputStream in) throws IOException {
        List<Integer> out = new ArrayList<>();
        new StreamChunker(new FastCdc(p, seed)).split(in, (b, off, len) -> out.add(len));
        return out;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aChunkerThatGaveItsBufferBackCutsAsAFreshOne() throws IOException {
        ChunkerParams big = ChunkerParams.DEFAULT;
        byte[] seed = new byte[32];
        byte[] large = new byte[20 << 20];
        java.util.Arrays.fill(large, (byte) 'x'); // no content boundary: chunks at the maximum, the buffer grows
        byte[] mixed = random(12 << 20, 4);
        StreamChunker reused = new StreamChunker(new FastCdc(big, seed));
        for (int round = 0; round < 2; round++) {
            List<Integer> got = new ArrayList<>();
            reused.split(new ByteArrayInputStream(large), (b, off, len) -> got.add(len));
            assertEquals(sizes(large, big, seed, new ByteArrayInputStream(large)), got);
            for (int i = 0; i < 300; i++) { // small streams: the grown buffer is given back on the way
                List<Integer> one = new ArrayList<>();
                reused.split(new ByteArrayInputStream(random(1000, i)), (b, off, len) -> one.add(len));
                assertEquals(List.of(1000), one);
            }
            List<Integer> again = new ArrayList<>();
            reused.split(new ByteArrayInputStream(mixed), (b, off, len) -> again.add(len));
            assertEquals(sizes(mixed, big, seed, new ByteArrayInputStream(mixed)), again);
        }
    }

    @Test
    void chunksCoverTheInputWithinBoundsAndNearTheAverage() throws IOException {
        byte[] data = random(8 << 20, 1);
        List<Integer> sizes = sizes(data, SMALL, SEED, new ByteArrayInputStream(data));
        assertEquals(data.length, sizes.stream().mapToLong(Integer::longValue).sum());
        for (int i = 0; i < sizes.size() - 1; i++) {
            assertTrue(sizes.get(i) >= SMALL.min() && sizes.get(i) <= SMALL.max(), "chunk " + i + " = " + sizes.get(i));
        }
        double avg = (double) data.length / sizes.size();
        assertTrue(avg > SMALL.avg() * 0.7 && avg < SMALL.avg() * 1.6, "average " + avg);
    }

    @Test
    void boundariesDoNotDependOnHowTheStreamIsRead() throws IOException {
        byte[] data = random(3 << 20, 2);
        List<Integer> whole = sizes(data, SMALL, SEED, new ByteArrayInputStream(data));
        Random r = new Random(3);
        InputStream trickle = new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1 + r.nextInt(5000)));
            }
        };
        assertEquals(whole, sizes(data, SMALL, SEED, trickle));
    }

    @Test
    void streamChunksAreTheCutsOfTheWholeInput() throws IOException {
        // Small params keep the stream buffer at max + one read; large ones make it start below max and
        // double, more than once for the default sizes.
        for (ChunkerParams p : List.of(SMALL, new ChunkerParams(64 << 10, 256 << 10, 2 << 20), ChunkerParams.DEFAULT)) {
            byte[] data = random(Math.max(12 << 20, 5 * p.max()), 6);
            // Runs of zeros force cuts at max, and boundaries right at the end of what a read delivered.
            java.util.Arrays.fill(data, 1 << 20, (1 << 20) + 3 * p.max(), (byte) 0);
            FastCdc cdc = new FastCdc(p, SEED);
            List<Integer> expected = new ArrayList<>();
            for (int off = 0; off < data.length; ) {
                int n = cdc.cut(data, off, data.length - off);
                expected.add(n);
                off += n;
            }
            Random r = new Random(7);
            InputStream trickle = new FilterInputStream(new ByteArrayInputStream(data)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return super.read(b, off, Math.min(len, 1 + r.nextInt(300_000)));
                }
            };
            assertEquals(expected, sizes(data, p, SEED, new ByteArrayInputStream(data)), "whole reads, " + p);
            assertEquals(expected, sizes(data, p, SEED, trickle), "short reads, " + p);
        }
    }

    @Test
    void anInsertionChangesOnlyNearbyChunks() throws IOException {
        byte[] data = random(4 << 20, 4);
        byte[] edited = new byte[data.length + 10];
        System.arraycopy(data, 0, edited, 0, 2 << 20);
        System.arraycopy(data, 2 << 20, edited, (2 << 20) + 10, data.length - (2 << 20));
        Set<String> before = chunkHashes(data);
        Set<String> after = chunkHashes(edited);
        Set<String> fresh = new HashSet<>(after);
        fresh.removeAll(before);
        assertTrue(fresh.size() <= 3, fresh.size() + " new chunks of " + after.size());
    }

    private static Set<String> chunkHashes(byte[] data) throws IOException {
        Set<String> out = new HashSet<>();
        new StreamChunker(new FastCdc(SMALL, SEED)).split(new ByteArrayInputStream(data),
                (b, off, len) -> out.add(java.util.Arrays.hashCode(java.util.Arrays.copyOfRange(b, off, off + len)) + ":" + len));
        return out;
    }

    @Test
    void theSeedChangesBoundaries() throws IOException {
        byte[] data = random(2 << 20, 5);
        byte[] other = new byte[32];
        other[0] = 1;
        assertNotEquals(sizes(data, SMALL, SEED, new ByteArrayInputStream(data)),
                sizes(data, SMALL, other, new ByteArrayInputStream(data)));
    }

    @Test
    void emptyAndTinyInputs() throws IOException {
        assertEquals(List.of(), sizes(new byte[0], SMALL, SEED, new ByteArrayInputStream(new byte[0])));
        assertEquals(List.of(100), sizes(new byte[100], SMALL, SEED, new ByteArrayInputStream(new byte[100])));
        byte[] zeros = new byte[200_000];
        List<Integer> z = sizes(zeros, SMALL, SEED, new ByteArrayInputStream(zeros));
        assertEquals(SMALL.max(), z.get(0), "no boundary in constant data: cut at max");
    }

    @Test
    void invalidParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ChunkerParams(10, 8192, 65536));
        assertThrows(IllegalArgumentException.class, () -> new ChunkerParams(2048, 6000, 65536));
        assertThrows(IllegalArgumentException.class, () -> new ChunkerParams(8192, 4096, 65536));
    }
}
