package dev.lifeboat.retention;

import java.util.List;
import java.util.Objects;

/** Keep or remove one snapshot; a kept snapshot has one reason per rule that wants it. */
public record SnapshotDecision(RetentionSnapshot snapshot, boolean keep, List<String> reasons) {

    public SnapshotDecision {
        Objects.requireNonNull(snapshot, "snapshot");
        reasons = List.copyOf(reasons);
        if (keep == reasons.isEmpty()) {
            throw new IllegalArgumentException("a snapshot is kept exactly when it has a reason");
        }
    }
}
