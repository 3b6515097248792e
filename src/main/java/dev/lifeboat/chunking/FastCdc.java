package dev.lifeboat.chunking;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * FastCDC (Xia et al., 2016/2020) gear-hash chunking with normalized chunk sizes: a stricter mask
 * before the average size and a looser one after it pull chunk sizes toward the average. The gear
 * table is derived from a per-repository secret seed so that chunk boundaries do not reveal
 * content across repositories. Masks use the high bits of the hash, which depend on the last 64
 * bytes, so a boundary is a function of a 64-byte window.
 */
public final class FastCdc {
    private final ChunkerParams params;
    private final long[] gear;
    private final long maskS;
    private final long maskL;

    public FastCdc(ChunkerParams params, byte[] seed) {
        this.params = params;
        this.gear = gearTable(seed);
        int bits = Integer.numberOfTrailingZeros(params.avg());
        this.maskS = highBits(bits + 2);
        this.maskL = highBits(bits - 2);
    }

    public ChunkerParams params() {
        return params;
    }

    private static long highBits(int n) {
        return n <= 0 ? 0 : -1L << (64 - n);
    }

    static long[] gearTable(byte[] seed) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long[] table = new long[256];
            for (int i = 0; i < 256; i += 4) {
                sha.update(seed);
                sha.update(ByteBuffer.allocate(4).putInt(i).array());
                ByteBuffer d = ByteBuffer.wrap(sha.digest());
                for (int j = 0; j < 4; j++) {
                    table[i + j] = d.getLong();
                }
            }
            return table;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Length of the next chunk starting at off, given len available bytes. The caller must pass
     * at least max bytes unless the input ends sooner, so the result does not depend on how the
     * input was read.
     */
    public int cut(byte[] buf, int off, int len) {
        int min = params.min();
        if (len <= min) {
            return len;
        }
        int end = off + Math.min(len, params.max());
        int normal = off + Math.min(len, params.avg());
        long h = 0;
        long[] g = gear;
        int i = off + min;
        for (; i < normal; i++) {
            h = (h << 1) + g[buf[i] & 0xff];
            if ((h & maskS) == 0) {
                return i - off + 1;
            }
        }
        for (; i < end; i++) {
            h = (h << 1) + g[buf[i] & 0xff];
            if ((h & maskL) == 0) {
                return i - off + 1;
            }
        }
        return end - off;
    }
}
