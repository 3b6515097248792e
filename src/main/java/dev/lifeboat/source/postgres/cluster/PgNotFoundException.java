package dev.lifeboat.source.postgres.cluster;

/** No usable PostgreSQL installation (or tool) for the wanted major version. */
public class PgNotFoundException extends RuntimeException {
    public PgNotFoundException(String message) {
        super(message);
    }
}
