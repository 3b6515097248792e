package dev.lifeboat.source.postgres;

/** A PostgreSQL-side failure whose message is one line a user can act on (never holds a password). */
public class PgException extends RuntimeException {
    public PgException(String message) {
        super(message);
    }

    public PgException(String message, Throwable cause) {
        super(message, cause);
    }
}
