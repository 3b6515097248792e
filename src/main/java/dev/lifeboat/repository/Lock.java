package dev.lifeboat.repository;

import java.time.Instant;

/** A lock object: who holds the repository, how (shared or exclusive) and since when. */
public record Lock(Instant time, boolean exclusive, String hostname, String username, long pid, String command) {
}
