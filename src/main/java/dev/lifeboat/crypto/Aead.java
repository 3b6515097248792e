package dev.lifeboat.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * AES-256-GCM with a fresh random 96-bit nonce per message. Sealed layout:
 * nonce (12 bytes) || ciphertext || tag (16 bytes). Thread-safe; ciphers are per thread.
 */
public final class Aead {
    public static final int NONCE_LENGTH = 12;
    public static final int TAG_LENGTH = 16;
    public static final int OVERHEAD = NONCE_LENGTH + TAG_LENGTH;
    private static final int SLICE = 32 * 1024;

    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

    private final SecretKeySpec key;
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(Aead::newCipher);

    public Aead(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("AES-256 key must be 32 bytes");
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    private static final java.util.concurrent.atomic.AtomicBoolean WARMED = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The JIT swaps in the AES-NI/CLMUL intrinsics only once the cipher's Java callers are compiled
     * by C2, which takes thousands of calls. A backup of a few large streams seals only a few
     * thousand big blobs and would run GHASH in plain Java throughout (measured: over half of a
     * database backup's CPU). Many tiny messages on a spare thread get there in about 100 ms.
     */
    private static void warmUp() {
        Aead a = new Aead(new byte[32], false);
        byte[] plain = new byte[4096];
        byte[] sealed = new byte[sealedLength(plain.length)];
        try {
            for (int i = 0; i < 2_000; i++) {
                a.seal(plain, 0, plain.length, sealed, 0, 256, null);
                a.open(sealed, 0, sealed.length, plain, 0);
            }
        } catch (AuthenticationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final java.util.concurrent.atomic.AtomicBoolean OPEN_WARMED = new java.util.concurrent.atomic.AtomicBoolean();
    /** Above this the JDK decrypts byte arrays through a path that C2 compiles only after hundreds of calls. */
    public static final int LARGE = 64 * 1024;
    private static final java.util.concurrent.ConcurrentLinkedQueue<java.nio.ByteBuffer> BUFFERS =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * Decryption of large byte arrays goes through JDK code that reaches C2 (and the CLMUL
     * intrinsic) only after some 800 large messages: measured 50 MB/s until then, 3 GB/s after.
     * The direct-buffer path gets there after a few dozen, and sooner with a small warm-up.
     */
    private static void warmUpOpen() {
        Aead a = new Aead(new byte[32], false);
        byte[] plain = new byte[LARGE + 1024];
        byte[] sealed = a.seal(plain);
        try {
            for (int i = 0; i < 200; i++) {
                long t = System.nanoTime();
                a.openLarge(sealed, 0, sealed.length, plain, 0, null);
                if (System.nanoTime() - t < 100_000) {
                    return;
                }
            }
        } catch (AuthenticationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** C2 compiles the byte-array decryption path after a number of calls, whatever their size: small ones get there soonest. */
    private static void warmUpSmallOpens() {
        Aead a = new Aead(new byte[32], false);
        byte[] small = new byte[2048];
        byte[] sealed = a.seal(small);
        try {
            for (int i = 0; i < 6_000; i++) {
                a.open(sealed, 0, sealed.length, small, 0);
            }
        } catch (AuthenticationException e) {
            throw new IllegalStateException(e);
        }
        warmUpOpen();
    }

    private static final java.util.concurrent.atomic.AtomicBoolean BULK_WARMED = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * For commands about to decrypt much (restores): gets the JIT to the fast GHASH while the
     * restore is still being planned. Without it, a restore of many small blobs ran GHASH in plain
     * Java through most of its run (a quarter of its CPU samples). Not for backups: there it only
     * takes CPU from the work.
     */
    public static void prepareForBulkOpen() {
        if (!BULK_WARMED.get() && BULK_WARMED.compareAndSet(false, true)) {
            OPEN_WARMED.set(true);
            dev.lifeboat.util.Workers.startDaemon("aead-open-warm-up", Aead::warmUpSmallOpens);
        }
    }

    private int openLarge(byte[] sealed, int off, int len, byte[] out, int outOff, byte[] aad) throws AuthenticationException {
        // Only the input needs to be direct for the fast path; decrypting into the caller's array
        // measured as fast as into a second direct buffer, which cost as much memory again.
        java.nio.ByteBuffer src = BUFFERS.poll();
        if (src == null || src.capacity() < len) {
            src = java.nio.ByteBuffer.allocateDirect(Math.max(len, 1 << 20));
        }
        try {
            src.clear();
            src.put(sealed, off, len).flip();
            return open(src, out, outOff, aad);
        } finally {
            if (BUFFERS.size() < 8) {
                BUFFERS.offer(src);
            }
        }
    }

    /**
     * Decrypts the sealed message held in sealed[0, limit) (a direct buffer is fastest, see
     * openLarge) into out at outOff, authenticating aad (may be null) too; returns the plaintext length.
     */
    public int open(java.nio.ByteBuffer sealed, byte[] out, int outOff, byte[] aad) throws AuthenticationException {
        int len = sealed.limit();
        if (len < OVERHEAD) {
            throw new AuthenticationException("ciphertext too short (" + len + " bytes)");
        }
        if (len > LARGE && !OPEN_WARMED.get() && OPEN_WARMED.compareAndSet(false, true)) {
            dev.lifeboat.util.Workers.startDaemon("aead-open-warm-up", Aead::warmUpOpen);
        }
        byte[] nonce = new byte[NONCE_LENGTH];
        sealed.get(0, nonce);
        try {
            Cipher c = ciphers.get();
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            if (aad != null) {
                c.updateAAD(aad);
            }
            return c.doFinal(sealed.position(NONCE_LENGTH), java.nio.ByteBuffer.wrap(out, outOff, out.length - outOff));
        } catch (AEADBadTagException e) {
            throw new AuthenticationException("authentication failed: data is corrupt or the key is wrong");
        } catch (GeneralSecurityException e) {
            throw new AuthenticationException("decryption failed: " + e.getMessage());
        }
    }

    private Aead(byte[] key, boolean unused) {
        this.key = new SecretKeySpec(key, "AES");
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    public static int sealedLength(int plainLength) {
        return plainLength + OVERHEAD;
    }

    public byte[] seal(byte[] plain) {
        byte[] out = new byte[sealedLength(plain.length)];
        seal(plain, 0, plain.length, out, 0);
        return out;
    }

    /** Encrypts plain[off, off+len) into out at outOff; returns bytes written (len + OVERHEAD). */
    public int seal(byte[] plain, int off, int len, byte[] out, int outOff) {
        warmUpIfLarge(len);
        return seal(plain, off, len, out, outOff, SLICE, null);
    }

    private static void warmUpIfLarge(int len) {
        // Only a process sealing large blobs needs the fast path early; small objects never wait for it.
        if (len > SLICE && !WARMED.get() && WARMED.compareAndSet(false, true)) {
            dev.lifeboat.util.Workers.startDaemon("aead-warm-up", Aead::warmUp);
        }
    }

    /** The scratch array {@link #sealTo} needs. */
    public static byte[] sealScratch() {
        return new byte[SLICE + TAG_LENGTH];
    }

    /**
     * Seals plain[off, off+len), with aad (may be null) as associated data, and writes the sealed bytes
     * to out slice by slice, through scratch (from {@link #sealScratch}), so no buffer holds the whole
     * sealed message. Returns len + OVERHEAD.
     */
    public int sealTo(byte[] plain, int off, int len, OutputStream out, byte[] scratch, byte[] aad) throws IOException {
        warmUpIfLarge(len);
        byte[] nonce = new byte[NONCE_LENGTH];
        Cipher c = encryptor(nonce, aad);
        out.write(nonce);
        try {
            int done = 0;
            while (len - done > SLICE) {
                out.write(scratch, 0, c.update(plain, off + done, SLICE, scratch, 0));
                done += SLICE;
            }
            out.write(scratch, 0, c.doFinal(plain, off + done, len - done, scratch, 0));
            return len + OVERHEAD;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    /**
     * Seals buf[off+NONCE_LENGTH, off+NONCE_LENGTH+len) where it lies, with aad (may be null) as
     * associated data: the nonce goes in front of it, the tag after it, so one buffer serves both (buf
     * needs len + OVERHEAD bytes from off). Returns the sealed length.
     */
    public int sealInPlace(byte[] buf, int off, int len, byte[] aad) {
        warmUpIfLarge(len);
        return seal(buf, off + NONCE_LENGTH, len, buf, off, SLICE, aad);
    }

    /** This thread's cipher, set up to encrypt under a fresh random nonce, which it writes into nonce. */
    private Cipher encryptor(byte[] nonce, byte[] aad) {
        RANDOM.get().nextBytes(nonce);
        try {
            Cipher c = ciphers.get();
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            if (aad != null) {
                c.updateAAD(aad);
            }
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    private int seal(byte[] plain, int off, int len, byte[] out, int outOff, int slice, byte[] aad) {
        byte[] nonce = new byte[NONCE_LENGTH];
        Cipher c = encryptor(nonce, aad);
        System.arraycopy(nonce, 0, out, outOff, NONCE_LENGTH);
        try {
            // Slices keep the cipher's per-call methods hot enough for C2 to use the CLMUL/AES-NI
            // intrinsics; one call per large blob would leave GHASH in plain Java (see warmUp).
            int done = 0;
            int at = outOff + NONCE_LENGTH;
            while (len - done > slice) {
                at += c.update(plain, off + done, slice, out, at);
                done += slice;
            }
            at += c.doFinal(plain, off + done, len - done, out, at);
            return at - outOff;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public byte[] open(byte[] sealed) throws AuthenticationException {
        return open(sealed, 0, sealed.length);
    }

    public byte[] open(byte[] sealed, int off, int len) throws AuthenticationException {
        if (len < OVERHEAD) {
            throw new AuthenticationException("ciphertext too short (" + len + " bytes)");
        }
        byte[] out = new byte[len - OVERHEAD];
        open(sealed, off, len, out, 0);
        return out;
    }

    /** Decrypts into out at outOff; returns the plaintext length. */
    public int open(byte[] sealed, int off, int len, byte[] out, int outOff) throws AuthenticationException {
        return open(sealed, off, len, out, outOff, null);
    }

    /** Decrypts into out at outOff, authenticating aad (may be null) as associated data too; returns the plaintext length. */
    public int open(byte[] sealed, int off, int len, byte[] out, int outOff, byte[] aad) throws AuthenticationException {
        if (len > LARGE && !OPEN_WARMED.get() && OPEN_WARMED.compareAndSet(false, true)) {
            dev.lifeboat.util.Workers.startDaemon("aead-open-warm-up", Aead::warmUpOpen);
        }
        if (len < OVERHEAD) {
            throw new AuthenticationException("ciphertext too short (" + len + " bytes)");
        }
        if (len > LARGE) {
            return openLarge(sealed, off, len, out, outOff, aad);
        }
        try {
            Cipher c = ciphers.get();
            c.init(Cipher.DECRYPT_MODE, key,
                    new GCMParameterSpec(TAG_LENGTH * 8, Arrays.copyOfRange(sealed, off, off + NONCE_LENGTH)));
            if (aad != null) {
                c.updateAAD(aad);
            }
            return c.doFinal(sealed, off + NONCE_LENGTH, len - NONCE_LENGTH, out, outOff);
        } catch (AEADBadTagException e) {
            throw new AuthenticationException("authentication failed: data is corrupt or the key is wrong");
        } catch (GeneralSecurityException e) {
            throw new AuthenticationException("decryption failed: " + e.getMessage());
        }
    }
}
