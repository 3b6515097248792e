package dev.lifeboat.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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

    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

    private final SecretKeySpec key;
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(Aead::newCipher);

    public Aead(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("AES-256 key must be 32 bytes");
        }
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
        byte[] nonce = new byte[NONCE_LENGTH];
        RANDOM.get().nextBytes(nonce);
        System.arraycopy(nonce, 0, out, outOff, NONCE_LENGTH);
        try {
            Cipher c = ciphers.get();
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            return NONCE_LENGTH + c.doFinal(plain, off, len, out, outOff + NONCE_LENGTH);
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
        if (len < OVERHEAD) {
            throw new AuthenticationException("ciphertext too short (" + len + " bytes)");
        }
        try {
            Cipher c = ciphers.get();
            c.init(Cipher.DECRYPT_MODE, key,
                    new GCMParameterSpec(TAG_LENGTH * 8, Arrays.copyOfRange(sealed, off, off + NONCE_LENGTH)));
            return c.doFinal(sealed, off + NONCE_LENGTH, len - NONCE_LENGTH, out, outOff);
        } catch (AEADBadTagException e) {
            throw new AuthenticationException("authentication failed: data is corrupt or the key is wrong");
        } catch (GeneralSecurityException e) {
            throw new AuthenticationException("decryption failed: " + e.getMessage());
        }
    }
}
