package dev.lifeboat.repository;

import dev.lifeboat.crypto.Aead;
import dev.lifeboat.crypto.Argon2idParams;
import dev.lifeboat.crypto.AuthenticationException;
import dev.lifeboat.crypto.Kdf;
import dev.lifeboat.crypto.MasterKey;
import dev.lifeboat.util.Json;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;

/**
 * A passphrase's wrapping of the master key, stored in plain JSON as keys/&lt;sha256 of the file&gt;.
 * The KDF parameters and salt are stored so each key can use its own.
 */
public record KeyFile(int version, String kdf, int memoryKiB, int iterations, int parallelism,
                      String salt, String created, String host, String user, String data) {

    public static KeyFile create(MasterKey master, char[] passphrase, Argon2idParams params, String host, String user) {
        byte[] salt = newSalt();
        return sealing(master, Kdf.derive(passphrase, salt, params), salt, "argon2id", params, host, user);
    }

    private static byte[] newSalt() {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return salt;
    }

    /** The key file holding the master key sealed under wrapping; params null for a secret's key file. */
    private static KeyFile sealing(MasterKey master, byte[] wrapping, byte[] salt, String kdf, Argon2idParams params,
                                   String host, String user) {
        byte[] sealed = new Aead(wrapping).seal(master.encryption());
        Base64.Encoder b64 = Base64.getEncoder();
        return new KeyFile(1, kdf, params == null ? 0 : params.memoryKiB(), params == null ? 0 : params.iterations(),
                params == null ? 0 : params.parallelism(), b64.encodeToString(salt), Instant.now().toString(), host, user,
                b64.encodeToString(sealed));
    }

    /**
     * A random secret that opens a key file of its own without a passphrase's deliberately slow
     * derivation (it has 256 bits of entropy; nothing is left to stretch). Kept in a local file and
     * given wherever a passphrase can be: its prefix tells the two apart.
     */
    public static final String SECRET_PREFIX = "lifeboat-key:";
    static final String SECRET_KDF = "hmac-sha256";

    /** Whether a random secret opens this key file, rather than a passphrase. */
    public boolean opensWithSecret() {
        return SECRET_KDF.equals(kdf);
    }

    /** A new secret for {@link #createForSecret}. */
    public static String newSecret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(b);
    }

    /** A key file wrapping the master key under HMAC-SHA256(secret, salt). */
    public static KeyFile createForSecret(MasterKey master, String secret, String host, String user) throws IOException {
        byte[] raw = secretBytes(secret.toCharArray());
        if (raw == null) {
            throw new IOException("not a Lifeboat key secret");
        }
        byte[] salt = newSalt();
        byte[] wrapping = hmac(raw, salt);
        java.util.Arrays.fill(raw, (byte) 0);
        return sealing(master, wrapping, salt, SECRET_KDF, null, host, user);
    }

    /** Unwraps the master key; fails with {@link AuthenticationException} for a wrong passphrase. */
    public MasterKey open(char[] passphrase) throws IOException {
        boolean secretKdf = SECRET_KDF.equals(kdf) && version == 1;
        if (!secretKdf && (!"argon2id".equals(kdf) || version != 1)) {
            throw new IOException("unsupported key file (version " + version + ", kdf " + kdf + ")");
        }
        byte[] saltBytes;
        byte[] sealed;
        try {
            saltBytes = Base64.getDecoder().decode(salt);
            sealed = Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("key file is malformed");
        }
        byte[] wrapping;
        if (secretKdf) {
            byte[] raw = secretBytes(passphrase);
            if (raw == null) {
                throw new AuthenticationException("only a secret opens this key file");
            }
            wrapping = hmac(raw, saltBytes);
            java.util.Arrays.fill(raw, (byte) 0);
        } else {
            if (isSecret(passphrase)) {
                throw new AuthenticationException("a secret opens no passphrase's key file");
            }
            Argon2idParams params;
            try {
                params = new Argon2idParams(memoryKiB, iterations, parallelism);
            } catch (IllegalArgumentException e) {
                throw new IOException("key file is malformed");
            }
            if (params.memoryKiB() > 4 * 1024 * 1024 || params.iterations() > 100 || params.parallelism() > 256) {
                throw new IOException("key file asks for unreasonable KDF parameters");
            }
            wrapping = Kdf.derive(passphrase, saltBytes, params);
        }
        byte[] key = new Aead(wrapping).open(sealed);
        if (key.length != 32) {
            throw new IOException("key file holds a key of the wrong size");
        }
        return new MasterKey(key);
    }

    /** Whether {@code given} is meant as a secret (maybe a damaged one), not a passphrase. */
    private static boolean isSecret(char[] given) {
        if (given.length < SECRET_PREFIX.length()) {
            return false;
        }
        for (int i = 0; i < SECRET_PREFIX.length(); i++) {
            if (given[i] != SECRET_PREFIX.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The secret's 32 bytes, or null when {@code given} is not a whole secret. */
    private static byte[] secretBytes(char[] given) {
        if (!isSecret(given)) {
            return null;
        }
        byte[] ascii = new byte[given.length - SECRET_PREFIX.length()];
        for (int i = 0; i < ascii.length; i++) {
            ascii[i] = (byte) given[SECRET_PREFIX.length() + i];
        }
        try {
            byte[] raw = Base64.getDecoder().decode(ascii);
            return raw.length == 32 ? raw : null;
        } catch (IllegalArgumentException e) {
            return null;
        } finally {
            java.util.Arrays.fill(ascii, (byte) 0);
        }
    }

    private static byte[] hmac(byte[] secret, byte[] salt) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(salt);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] toBytes() {
        return Json.write(this);
    }

    public static KeyFile parse(byte[] bytes, String name) throws CorruptObjectException {
        try {
            return Json.read(bytes, KeyFile.class);
        } catch (IOException e) {
            throw new CorruptObjectException(name, "is not a valid key file");
        }
    }
}
