package dev.lifeboat.retention;

import static dev.lifeboat.retention.RetentionFixtures.FAR_FUTURE;
import static dev.lifeboat.retention.RetentionFixtures.UTC;
import static dev.lifeboat.retention.RetentionFixtures.policy;
import static dev.lifeboat.retention.RetentionFixtures.snaps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The exact reasons shown to users, and the shape of the result. */
class RetentionReasonsTest {

    static final List<RetentionSnapshot> SERIES = snaps(
            "s1 2026-11-20T18:00Z important,zeta",
            "s2 2026-11-20T09:00Z",
            "s3 2026-11-19T18:00Z",
            "s4 2026-11-16T09:00Z",
            "s5 2026-11-15T12:00Z",
            "s6 2026-11-09T12:00Z",
            "s7 2026-10-31T12:00Z",
            "s8 2026-10-01T12:00Z",
            "s9 2026-09-15T12:00Z",
            "s10 2025-12-31T12:00Z");

    static Stream<Arguments> cases() {
        Map<String, List<String>> everyRule = new LinkedHashMap<>();
        everyRule.put("s1", List.of(
                "last snapshot",
                "hourly snapshot 2026-11-20 18:00",
                "daily snapshot 2026-11-20",
                "weekly snapshot 2026-W47",
                "monthly snapshot 2026-11",
                "yearly snapshot 2026",
                "within 1d of the newest",
                "has tag \"important\"",
                "has tag \"zeta\""));
        everyRule.put("s2", List.of("within 1d of the newest"));
        everyRule.put("s3", List.of("daily snapshot 2026-11-19")); // exactly 1d old: not within
        everyRule.put("s4", List.of());
        everyRule.put("s5", List.of("weekly snapshot 2026-W46"));
        everyRule.put("s6", List.of());
        everyRule.put("s7", List.of("monthly snapshot 2026-10"));
        everyRule.put("s8", List.of());
        everyRule.put("s9", List.of());
        everyRule.put("s10", List.of("yearly snapshot 2025"));

        Map<String, List<String>> oldest = new LinkedHashMap<>();
        oldest.put("o1", List.of("daily snapshot 2026-11-20", "weekly snapshot 2026-W47"));
        oldest.put("o2", List.of());
        oldest.put("o3", List.of("oldest snapshot (--keep-daily not used up)",
                "oldest snapshot (--keep-weekly not used up)"));

        Map<String, List<String>> week53 = new LinkedHashMap<>();
        week53.put("w1", List.of("weekly snapshot 2021-W01", "within 2y5m7d3h of the newest"));
        week53.put("w2", List.of("weekly snapshot 2020-W53", "within 2y5m7d3h of the newest"));
        week53.put("w3", List.of("within 2y5m7d3h of the newest"));

        return Stream.of(
                Arguments.of("every rule at once",
                        SERIES, "last=1 hourly=1 daily=2 weekly=2 monthly=2 yearly=2 within=1d tags=zeta,important",
                        everyRule),
                Arguments.of("oldest snapshot kept while rules have room",
                        snaps("o1 2026-11-20T18:00Z", "o2 2026-11-20T12:00Z", "o3 2026-11-20T06:00Z"),
                        "daily=3 weekly=-1", oldest),
                Arguments.of("ISO week labels and canonical duration",
                        snaps("w1 2021-01-04T12:00Z", "w2 2021-01-03T12:00Z", "w3 2021-01-01T12:00Z"),
                        "weekly=2 within=3h7d2y5m", week53));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reasons(String name, List<RetentionSnapshot> snapshots, String policy,
                 Map<String, List<String>> expected) {
        GroupDecision g = Retention.decide(snapshots, policy(policy), GroupBy.NONE, UTC, FAR_FUTURE).get(0);

        Map<String, List<String>> actual = new LinkedHashMap<>();
        for (SnapshotDecision d : g.decisions()) {
            actual.put(d.snapshot().id(), d.reasons());
            assertEquals(!d.reasons().isEmpty(), d.keep(), "kept exactly when there is a reason");
        }
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), "newest first");
        assertEquals(expected, actual);
    }

    @Test
    void orderDoesNotDependOnInput() {
        List<RetentionSnapshot> shuffled = new ArrayList<>(SERIES);
        Collections.reverse(shuffled);
        shuffled.add(new RetentionSnapshot("s0", SERIES.get(0).time(), "db1", List.of("/var/lib/pg"), null));

        GroupDecision g = Retention.decide(shuffled, policy("last=2"), GroupBy.DEFAULT, UTC, FAR_FUTURE).get(0);

        List<String> order = g.decisions().stream().map(d -> d.snapshot().id()).toList();
        assertEquals(List.of("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10"), order,
                "newest first, equal times by id");
        assertEquals(List.of("s0", "s1"), g.kept().stream().map(RetentionSnapshot::id).toList());
    }

    @Test
    void noSnapshotsNoGroups() {
        assertTrue(Retention.decide(List.of(), policy("last=1"), GroupBy.DEFAULT, UTC, FAR_FUTURE).isEmpty());
    }

    @Test
    void resultIsImmutable() {
        List<GroupDecision> groups = Retention.decide(SERIES, policy("last=1"), GroupBy.DEFAULT, UTC, FAR_FUTURE);
        assertThrows(UnsupportedOperationException.class, () -> groups.remove(0));
        assertThrows(UnsupportedOperationException.class, () -> groups.get(0).decisions().remove(0));
        assertThrows(UnsupportedOperationException.class,
                () -> groups.get(0).decisions().get(0).reasons().add("x"));
    }

    @Test
    void decisionRejectsKeepWithoutReason() {
        RetentionSnapshot s = SERIES.get(0);
        assertThrows(IllegalArgumentException.class, () -> new SnapshotDecision(s, true, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new SnapshotDecision(s, false, List.of("x")));
    }
}
