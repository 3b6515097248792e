package dev.lifeboat.retention;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The facts about a snapshot that the keep rules look at. Nothing else of a snapshot matters
 * to retention, so callers map their own snapshot type onto this one.
 */
public record RetentionSnapshot(String id, Instant time, String host, List<String> paths, Set<String> tags) {

    public RetentionSnapshot {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        host = host == null ? "" : host;
        paths = paths == null ? List.of() : List.copyOf(paths);
        tags = tags == null ? Set.of() : Set.copyOf(tags);
    }
}
