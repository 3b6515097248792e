package dev.lifeboat.retention;

import static dev.lifeboat.retention.RetentionFixtures.FAR_FUTURE;
import static dev.lifeboat.retention.RetentionFixtures.UTC;
import static dev.lifeboat.retention.RetentionFixtures.at;
import static dev.lifeboat.retention.RetentionFixtures.idsOf;
import static dev.lifeboat.retention.RetentionFixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The policy applies to each group on its own; --keep-last 1 therefore keeps one snapshot per group. */
class RetentionGroupingTest {

    static final List<RetentionSnapshot> SNAPSHOTS = List.of(
            snap("g1", "2026-11-20T10:00Z", "db1", List.of("/a"), Set.of("x")),
            snap("g2", "2026-11-19T10:00Z", "db1", List.of("/b"), Set.of()),
            snap("g3", "2026-11-18T10:00Z", "db2", List.of("/a"), Set.of()),
            snap("g4", "2026-11-17T10:00Z", "db2", List.of("/b"), Set.of()),
            snap("g5", "2026-11-16T10:00Z", "db1", List.of("/a"), Set.of("x")),
            snap("g6", "2026-11-15T10:00Z", "db2", List.of("/a", "/b"), Set.of()),
            // Same paths as g6 in another order: same group.
            snap("g7", "2026-11-14T10:00Z", "db2", List.of("/b", "/a"), Set.of()));

    static RetentionSnapshot snap(String id, String time, String host, List<String> paths, Set<String> tags) {
        return new RetentionSnapshot(id, at(time), host, paths, tags);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("host,paths", List.of(
                        "host db1, paths [/a]: g1 | g5",
                        "host db1, paths [/b]: g2 | ",
                        "host db2, paths [/a]: g3 | ",
                        "host db2, paths [/a, /b]: g6 | g7",
                        "host db2, paths [/b]: g4 | ")),
                Arguments.of("host", List.of(
                        "host db1: g1 | g2 g5",
                        "host db2: g3 | g4 g6 g7")),
                Arguments.of("paths", List.of(
                        "paths [/a]: g1 | g3 g5",
                        "paths [/a, /b]: g6 | g7",
                        "paths [/b]: g2 | g4")),
                Arguments.of("tags", List.of(
                        "tags []: g2 | g3 g4 g6 g7",
                        "tags [x]: g1 | g5")),
                Arguments.of("host,tags", List.of(
                        "host db1, tags []: g2 | ",
                        "host db1, tags [x]: g1 | g5",
                        "host db2, tags []: g3 | g4 g6 g7")),
                Arguments.of("", List.of(
                        "all snapshots: g1 | g2 g3 g4 g5 g6 g7")));
    }

    /** Expected groups in order, as "group: kept ids | removed ids". */
    @ParameterizedTest(name = "group by \"{0}\"")
    @MethodSource("cases")
    void keepLastOnePerGroup(String groupBy, List<String> expected) {
        List<GroupDecision> groups =
                Retention.decide(SNAPSHOTS, policy("last=1"), GroupBy.parse(groupBy), UTC, FAR_FUTURE);

        List<String> actual = groups.stream()
                .map(g -> g.key().describe() + ": " + String.join(" ", idsOf(g.kept()))
                        + " | " + String.join(" ", idsOf(g.removed())))
                .toList();
        assertEquals(expected, actual);
    }

    @Test
    void groupOrderDoesNotDependOnInputOrder() {
        List<RetentionSnapshot> reversed = new ArrayList<>(SNAPSHOTS);
        Collections.reverse(reversed);
        assertEquals(
                Retention.decide(SNAPSHOTS, policy("daily=1"), GroupBy.DEFAULT, UTC, FAR_FUTURE),
                Retention.decide(reversed, policy("daily=1"), GroupBy.DEFAULT, UTC, FAR_FUTURE));
    }
}
