package dev.lifeboat.crypto;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * HMAC-SHA-256 under a repository secret: blob ids that do not reveal content fingerprints to
 * someone who can only see the repository. Thread-safe.
 */
public final class KeyedHash {
    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    public KeyedHash(byte[] key) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    public byte[] hash(byte[] data, int off, int len) {
        Mac mac = macs.get();
        mac.update(data, off, len);
        return mac.doFinal();
    }
}
