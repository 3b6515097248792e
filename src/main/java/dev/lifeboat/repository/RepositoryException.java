package dev.lifeboat.repository;

import java.io.IOException;

/** A problem with the repository a user must act on; the message is one line meant for them. */
public class RepositoryException extends IOException {
    private final int exitCode;

    public RepositoryException(String message) {
        this(message, ExitCodes.ERROR);
    }

    public RepositoryException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public RepositoryException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = ExitCodes.ERROR;
    }

    public int exitCode() {
        return exitCode;
    }
}
