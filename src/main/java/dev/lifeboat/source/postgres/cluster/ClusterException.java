package dev.lifeboat.source.postgres.cluster;

/** A local PostgreSQL server could not be set up, started or stopped. */
public class ClusterException extends RuntimeException {
    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
