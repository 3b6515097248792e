package dev.lifeboat.retention;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/** Decides which snapshots {@code forget} keeps, following restic's keep rules. */
public final class Retention {

    private static final Comparator<RetentionSnapshot> NEWEST_FIRST = Comparator
            .comparing(RetentionSnapshot::time).reversed()
            .thenComparing(RetentionSnapshot::id); // ties must not depend on input order

    private Retention() {
    }

    /**
     * Splits snapshots into groups and applies the policy to each group on its own.
     *
     * @param zone calendar buckets and the calendar parts of {@code --keep-within} use local time here
     * @param now  only used to ignore snapshots from the future when finding a group's newest snapshot
     * @return one decision per group, groups in {@link GroupKey} order
     */
    public static List<GroupDecision> decide(List<RetentionSnapshot> snapshots, KeepPolicy policy,
                                             GroupBy groupBy, ZoneId zone, Instant now) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(now, "now");
        Map<GroupKey, List<RetentionSnapshot>> groups = new TreeMap<>();
        for (RetentionSnapshot s : snapshots) {
            groups.computeIfAbsent(groupBy.keyOf(s), k -> new ArrayList<>()).add(s);
        }
        List<GroupDecision> result = new ArrayList<>();
        groups.forEach((key, group) -> result.add(new GroupDecision(key, decideGroup(group, policy, zone, now))));
        return List.copyOf(result);
    }

    static List<SnapshotDecision> decideGroup(List<RetentionSnapshot> group, KeepPolicy policy,
                                              ZoneId zone, Instant now) {
        List<RetentionSnapshot> sorted = new ArrayList<>(group);
        sorted.sort(NEWEST_FIRST);
        List<Counter> counters = new ArrayList<>();
        for (BucketKind kind : BucketKind.values()) {
            if (kind.count(policy) != 0) {
                counters.add(new Counter(kind, kind.count(policy)));
            }
        }
        Instant cutoff = policy.within().isZero() ? null : policy.within().before(newest(sorted, now), zone);
        List<String> tags = policy.tags().stream().sorted().toList();

        List<SnapshotDecision> decisions = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            RetentionSnapshot s = sorted.get(i);
            ZonedDateTime local = s.time().atZone(zone);
            boolean oldest = i == sorted.size() - 1;
            List<String> reasons = new ArrayList<>();
            for (Counter c : counters) {
                String reason = c.offer(local, oldest);
                if (reason != null) {
                    reasons.add(reason);
                }
            }
            // restic compares with "after", so a snapshot exactly at the cutoff is not within.
            if (cutoff != null && s.time().isAfter(cutoff)) {
                reasons.add("within " + policy.within() + " of the newest");
            }
            for (String tag : tags) {
                if (s.tags().contains(tag)) {
                    reasons.add("has tag \"" + tag + "\"");
                }
            }
            decisions.add(new SnapshotDecision(s, !reasons.isEmpty(), reasons));
        }
        return decisions;
    }

    /**
     * --keep-within counts back from the newest snapshot rather than from now, so that a backup
     * job that stopped running does not make forget delete its history. Snapshots dated in the
     * future (a skewed clock) are not trusted as the newest; if every snapshot is in the future,
     * {@code now} is used, which keeps them all.
     */
    private static Instant newest(List<RetentionSnapshot> newestFirst, Instant now) {
        for (RetentionSnapshot s : newestFirst) {
            if (!s.time().isAfter(now)) {
                return s.time();
            }
        }
        return now;
    }

    /** One counted rule while walking a group from newest to oldest. */
    private static final class Counter {
        private final BucketKind kind;
        private int remaining;
        private final Set<String> seen = new HashSet<>();

        Counter(BucketKind kind, int count) {
            this.kind = kind;
            this.remaining = count;
        }

        /** The reason this rule keeps the snapshot, or null. */
        String offer(ZonedDateTime time, boolean oldest) {
            if (remaining == 0) {
                return null;
            }
            String label = kind.label(time);
            boolean fresh = label == null || seen.add(label);
            // restic also keeps the group's oldest snapshot while a rule has room left, so a
            // young history is kept as far back as it goes instead of losing its first backup.
            if (!fresh && !oldest) {
                return null;
            }
            if (remaining > 0) {
                remaining--;
            }
            return fresh ? kind.reason(label) : "oldest snapshot (" + kind.option + " not used up)";
        }
    }
}
