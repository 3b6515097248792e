package dev.lifeboat.crypto;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Derives a 32-byte key from a passphrase with Argon2id (memory-hard). */
public final class Kdf {
    private Kdf() {
    }

    public static byte[] derive(char[] passphrase, byte[] salt, Argon2idParams params) {
        byte[] pw = utf8(passphrase);
        try {
            return argon2id(pw, salt, params);
        } finally {
            Arrays.fill(pw, (byte) 0);
            // Argon2id's memory is one array, garbage now; collecting it here gives the heap back at
            // once rather than at the next full collection, which a short command may never reach.
            // (Growing the heap in one step through the HotSpot MXBean, which helped while the memory
            // was thousands of small blocks, cost 20 ms of class loading at every start and saved nothing.)
            System.gc();
        }
    }

    private static byte[] argon2id(byte[] pw, byte[] salt, Argon2idParams params) {
        return Argon2id.hash(pw, salt, params, 32);
    }

    /** The passphrase's UTF-8 bytes, without leaving a copy in an immutable String. */
    private static byte[] utf8(char[] passphrase) {
        ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(passphrase));
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        if (bb.hasArray()) {
            Arrays.fill(bb.array(), (byte) 0);
        }
        return out;
    }
}
