package dev.lifeboat.crypto;

import java.security.SecureRandom;

/**
 * The key that seals every object of a repository. It is random and never changes; passphrases
 * only wrap it (key files), so changing a passphrase rewrites one small file.
 */
public record MasterKey(byte[] encryption) {
    public static MasterKey random() {
        byte[] e = new byte[32];
        new SecureRandom().nextBytes(e);
        return new MasterKey(e);
    }

    @Override
    public String toString() {
        return "MasterKey[redacted]";
    }
}
