package dev.lifeboat.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Short notations so that test tables read like the scenarios they describe. */
final class RetentionFixtures {

    static final ZoneId UTC = ZoneOffset.UTC;
    static final ZoneId LOS_ANGELES = ZoneId.of("America/Los_Angeles");
    static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata");
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    /** Later than every fixture, so no fixture snapshot counts as being in the future. */
    static final Instant FAR_FUTURE = at("2030-01-01T00:00Z");

    private RetentionFixtures() {
    }

    /** ISO time with an explicit offset, e.g. {@code 2026-11-20T18:00Z} or {@code 2026-03-29T12:00+02:00}. */
    static Instant at(String time) {
        return OffsetDateTime.parse(time).toInstant();
    }

    /** Snapshots from {@code "id time [tag,tag]"} lines, all of one host and path. */
    static List<RetentionSnapshot> snaps(String... lines) {
        List<RetentionSnapshot> list = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            Set<String> tags = f.length > 2 ? Set.of(f[2].split(",")) : Set.of();
            list.add(new RetentionSnapshot(f[0], at(f[1]), "db1", List.of("/var/lib/pg"), tags));
        }
        return list;
    }

    static List<RetentionSnapshot> concat(List<RetentionSnapshot> first, List<RetentionSnapshot> second) {
        List<RetentionSnapshot> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** Policy from {@code "last=2 daily=7 within=7d tags=a,b"}. */
    static KeepPolicy policy(String spec) {
        KeepPolicy.Builder b = KeepPolicy.builder();
        for (String item : spec.trim().split("\\s+")) {
            String[] kv = item.split("=", 2);
            switch (kv[0]) {
                case "last" -> b.last(Integer.parseInt(kv[1]));
                case "hourly" -> b.hourly(Integer.parseInt(kv[1]));
                case "daily" -> b.daily(Integer.parseInt(kv[1]));
                case "weekly" -> b.weekly(Integer.parseInt(kv[1]));
                case "monthly" -> b.monthly(Integer.parseInt(kv[1]));
                case "yearly" -> b.yearly(Integer.parseInt(kv[1]));
                case "within" -> b.within(kv[1]);
                case "tags" -> b.tags(kv[1].split(","));
                default -> throw new IllegalArgumentException("bad test policy item " + item);
            }
        }
        return b.build();
    }

    /** Space-separated ids; empty string for none. */
    static Set<String> ids(String spaceSeparated) {
        return spaceSeparated.isBlank() ? Set.of() : new TreeSet<>(List.of(spaceSeparated.trim().split("\\s+")));
    }

    static Set<String> idsOf(List<RetentionSnapshot> snaps) {
        return snaps.stream().map(RetentionSnapshot::id).collect(Collectors.toCollection(TreeSet::new));
    }

    /** One scenario: the kept ids are asserted exactly, and everything else must be removed. */
    record Case(String name, List<RetentionSnapshot> snapshots, String policy, ZoneId zone, Instant now,
                String kept) {

        Case(String name, List<RetentionSnapshot> snapshots, String policy, String kept) {
            this(name, snapshots, policy, UTC, FAR_FUTURE, kept);
        }

        Case(String name, List<RetentionSnapshot> snapshots, String policy, ZoneId zone, String kept) {
            this(name, snapshots, policy, zone, FAR_FUTURE, kept);
        }

        @Override
        public String toString() {
            return name;
        }

        void check() {
            List<GroupDecision> groups =
                    Retention.decide(snapshots, RetentionFixtures.policy(policy), GroupBy.NONE, zone, now);
            assertEquals(1, groups.size(), "one group");
            GroupDecision g = groups.get(0);
            Set<String> expectedKept = ids(kept);
            Set<String> expectedRemoved = new TreeSet<>(idsOf(snapshots));
            expectedRemoved.removeAll(expectedKept);
            assertEquals(snapshots.size(), g.decisions().size(), "every snapshot decided once");
            assertEquals(expectedKept, idsOf(g.kept()), "kept");
            assertEquals(expectedRemoved, idsOf(g.removed()), "removed");
        }
    }
}
