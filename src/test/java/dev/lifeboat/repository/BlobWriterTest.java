package dev.lifeboat.repository;

import dev.lifeboat.chunking.ChunkerParams;
import dev.lifeboat.crypto.Argon2idParams;
import dev.lifeboat.storage.local.LocalStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Blobs of every kind come back as stored, and compression is kept exactly when it saves a 32nd. */
class BlobWriterTest {
    @TempDir
    Path tmp;

    @Test
    void blobsRoundTripAndAreStoredCompressedOnlyWhenItPays() throws Exception {
        Random r = new Random(11);
        List<byte[]> blobs = new ArrayList<>();
        List<Boolean> compressible = new ArrayList<>();
        // Sizes around the growth steps of the compression buffer, in an order that makes it grow
        // while compressible, stay small for incompressible blobs, and grow again.
        for (int len : new int[]{0, 1, 31, 100, 4096, 300_000, 3 << 20, 5 << 20, 9 << 20}) {
            blobs.add(text(r, len));
            compressible.add(len >= 100);
            byte[] noise = new byte[len];
            r.nextBytes(noise);
            blobs.add(noise);
            compressible.add(false);
        }
        // Half noise, half zeros: compresses to about half, far from the threshold either way.
        byte[] half = new byte[6 << 20];
        r.nextBytes(half);
        Arrays.fill(half, 3 << 20, half.length, (byte) 0);
        blobs.add(half);
        compressible.add(true);
        // Noise with a run of zeros just long enough to save a 32nd, and one just too short.
        blobs.add(noiseSaving(r, 2 << 20, (2 << 20) / 32 + 4096));
        compressible.add(true);
        blobs.add(noiseSaving(r, 2 << 20, (2 << 20) / 32 - 4096));
        compressible.add(false);

        Path dir = tmp.resolve("repo");
        List<BlobId> ids = new ArrayList<>();
        try (Repository repo = Repository.init(LocalStorage.create(dir), "pw".toCharArray(),
                RepoConfig.create(ChunkerParams.DEFAULT, 3, 4 << 20), Argon2idParams.parse("m=1024,t=1,p=1"), "h", "u");
             BlobWriter w = repo.newBlobWriter()) {
            for (byte[] b : blobs) {
                byte[] framed = new byte[b.length + 20];
                System.arraycopy(b, 0, framed, 7, b.length);
                BlobId id = repo.blobId(b, 0, b.length);
                ids.add(id);
                w.store(id, BlobType.DATA, framed, 7, b.length);
            }
            w.flush();
            repo.flushIndex();
        }
        try (Repository repo = Repository.open(new LocalStorage(dir), "pw".toCharArray())) {
            repo.loadIndex();
            for (int i = 0; i < blobs.size(); i++) {
                byte[] b = blobs.get(i);
                PackEntry e = repo.index().get(ids.get(i));
                String what = "blob " + i + " (" + b.length + " bytes)";
                assertEquals(compressible.get(i), e.compressed(), what);
                assertEquals(b.length, e.rawLength(), what);
                if (!e.compressed()) {
                    assertEquals(b.length + 28, e.length(), what);
                }
                assertArrayEquals(b, repo.loadBlob(ids.get(i)), what);
            }
        }
    }

    private static byte[] text(Random r, int len) {
        StringBuilder sb = new StringBuilder(len + 64);
        while (sb.length() < len) {
            sb.append("#define REG_").append(r.nextInt(5000)).append("__FIELD_MASK 0x").append(Integer.toHexString(r.nextInt())).append('\n');
        }
        return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), len);
    }

    private static byte[] noiseSaving(Random r, int len, int zeros) {
        byte[] b = new byte[len];
        r.nextBytes(b);
        Arrays.fill(b, len - zeros, len, (byte) 0);
        return b;
    }
}
