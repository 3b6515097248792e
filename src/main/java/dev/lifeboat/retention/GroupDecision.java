package dev.lifeboat.retention;

import java.util.List;

/** The decisions for one group, newest snapshot first. */
public record GroupDecision(GroupKey key, List<SnapshotDecision> decisions) {

    public GroupDecision {
        decisions = List.copyOf(decisions);
    }

    public List<RetentionSnapshot> kept() {
        return decisions.stream().filter(SnapshotDecision::keep).map(SnapshotDecision::snapshot).toList();
    }

    public List<RetentionSnapshot> removed() {
        return decisions.stream().filter(d -> !d.keep()).map(SnapshotDecision::snapshot).toList();
    }
}
