package dev.lifeboat.storage;

import java.io.IOException;

/**
 * A storage failure that trying again cannot fix: access denied, a missing bucket, an invalid
 * location or object name. {@link RetryingStorage} passes it through at once instead of retrying.
 */
public class PermanentStorageException extends IOException {
    public PermanentStorageException(String message) {
        super(message);
    }

    public PermanentStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
