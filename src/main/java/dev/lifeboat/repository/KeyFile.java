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
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        byte[] wrapping = Kdf.derive(passphrase, salt, params);
        byte[] sealed = new Aead(wrapping).seal(master.encryption());
        Base64.Encoder b64 = Base64.getEncoder();
        return new KeyFile(1, "argon2id", params.memoryKiB(), params.iterations(), params.parallelism(),
                b64.encodeToString(salt), Instant.now().toString(), host, user, b64.encodeToString(sealed));
    }

    /** Unwraps the master key; fails with {@link AuthenticationException} for a wrong passphrase. */
    public MasterKey open(char[] passphrase) throws IOException {
        if (!"argon2id".equals(kdf) || version != 1) {
            throw new IOException("unsupported key file (version " + version + ", kdf " + kdf + ")");
        }
        byte[] saltBytes;
        byte[] sealed;
        Argon2idParams params;
        try {
            saltBytes = Base64.getDecoder().decode(salt);
            sealed = Base64.getDecoder().decode(data);
            params = new Argon2idParams(memoryKiB, iterations, parallelism);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("key file is malformed");
        }
        if (params.memoryKiB() > 4 * 1024 * 1024 || params.iterations() > 100 || params.parallelism() > 256) {
            throw new IOException("key file asks for unreasonable KDF parameters");
        }
        byte[] wrapping = Kdf.derive(passphrase, saltBytes, params);
        byte[] key = new Aead(wrapping).open(sealed);
        if (key.length != 32) {
            throw new IOException("key file holds a key of the wrong size");
        }
        return new MasterKey(key);
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
