package dev.lifeboat.retention;

import static dev.lifeboat.retention.RetentionFixtures.at;
import static dev.lifeboat.retention.RetentionFixtures.concat;
import static dev.lifeboat.retention.RetentionFixtures.snaps;

import dev.lifeboat.retention.RetentionFixtures.Case;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The keep rules on their own and combined, in UTC. */
class RetentionRulesTest {

    // Newest first. Weeks: s1-s4 2026-W47, s5-s6 W46, s7 W44, s8 W40, s9 W38, s10 2026-W01 (in 2025).
    static final List<RetentionSnapshot> SERIES = snaps(
            "s1 2026-11-20T18:00Z",
            "s2 2026-11-20T09:00Z",
            "s3 2026-11-19T18:00Z",
            "s4 2026-11-16T09:00Z",
            "s5 2026-11-15T12:00Z",
            "s6 2026-11-09T12:00Z important",
            "s7 2026-10-31T12:00Z",
            "s8 2026-10-01T12:00Z",
            "s9 2026-09-15T12:00Z audit,x",
            "s10 2025-12-31T12:00Z");

    // Three snapshots on one day: shows restic's rule that keeps the oldest while a count has room.
    static final List<RetentionSnapshot> ONE_DAY = snaps(
            "o1 2026-11-20T18:00Z",
            "o2 2026-11-20T12:00Z",
            "o3 2026-11-20T06:00Z");

    static final List<RetentionSnapshot> WITH_FUTURE = concat(snaps("f0 2027-06-01T00:00Z"), SERIES);

    static Stream<Case> cases() {
        return Stream.of(
                new Case("last 1", SERIES, "last=1", "s1"),
                new Case("last 3", SERIES, "last=3", "s1 s2 s3"),
                new Case("last more than there are", SERIES, "last=20", "s1 s2 s3 s4 s5 s6 s7 s8 s9 s10"),
                new Case("last unlimited", SERIES, "last=-1", "s1 s2 s3 s4 s5 s6 s7 s8 s9 s10"),
                new Case("hourly 2", SERIES, "hourly=2", "s1 s2"),
                new Case("hourly unlimited", SERIES, "hourly=-1", "s1 s2 s3 s4 s5 s6 s7 s8 s9 s10"),
                new Case("daily 3 skips the second snapshot of a day", SERIES, "daily=3", "s1 s3 s4"),
                new Case("daily unlimited", SERIES, "daily=-1", "s1 s3 s4 s5 s6 s7 s8 s9 s10"),
                new Case("weekly 2", SERIES, "weekly=2", "s1 s5"),
                new Case("weekly 4", SERIES, "weekly=4", "s1 s5 s7 s8"),
                new Case("weekly unlimited", SERIES, "weekly=-1", "s1 s5 s7 s8 s9 s10"),
                new Case("monthly 2", SERIES, "monthly=2", "s1 s7"),
                new Case("monthly unlimited", SERIES, "monthly=-1", "s1 s7 s9 s10"),
                new Case("yearly 1", SERIES, "yearly=1", "s1"),
                new Case("yearly unlimited", SERIES, "yearly=-1", "s1 s10"),

                new Case("last 2 + daily 2", SERIES, "last=2 daily=2", "s1 s2 s3"),
                new Case("last 1 + weekly 2 + monthly 3", SERIES, "last=1 weekly=2 monthly=3", "s1 s5 s7 s9"),
                new Case("daily 2 + weekly 3 + yearly 2", SERIES, "daily=2 weekly=3 yearly=2",
                        "s1 s3 s5 s7 s10"),
                new Case("rules that all pick the newest keep only it", SERIES,
                        "last=1 hourly=1 daily=1 weekly=1 monthly=1 yearly=1", "s1"),
                new Case("within 7d + monthly 2", SERIES, "within=7d monthly=2", "s1 s2 s3 s4 s5 s7"),
                new Case("within 7d + weekly 1 + yearly unlimited", SERIES, "within=7d weekly=1 yearly=-1",
                        "s1 s2 s3 s4 s5 s10"),

                new Case("within 7d", SERIES, "within=7d", "s1 s2 s3 s4 s5"),
                new Case("within 1m", SERIES, "within=1m", "s1 s2 s3 s4 s5 s6 s7"),
                new Case("within 2m", SERIES, "within=2m", "s1 s2 s3 s4 s5 s6 s7 s8"),
                new Case("within 1y", SERIES, "within=1y", "s1 s2 s3 s4 s5 s6 s7 s8 s9 s10"),
                new Case("within 4d6h stops after 2026-11-16T12:00", SERIES, "within=4d6h", "s1 s2 s3"),
                new Case("within 4d10h reaches 2026-11-16T08:00", SERIES, "within=4d10h", "s1 s2 s3 s4"),
                new Case("within 9h: exactly at the cutoff is not within", SERIES, "within=9h", "s1"),
                new Case("within 10h", SERIES, "within=10h", "s1 s2"),

                new Case("tag important", SERIES, "tags=important", "s6"),
                new Case("any of several tags", SERIES, "tags=important,x", "s6 s9"),
                new Case("tag nobody has removes everything", SERIES, "tags=nope", ""),
                new Case("last 1 + tag", SERIES, "last=1 tags=important", "s1 s6"),
                new Case("daily 2 + tag", SERIES, "daily=2 tags=audit", "s1 s3 s9"),

                new Case("daily 2 keeps the oldest while room is left", ONE_DAY, "daily=2", "o1 o3"),
                new Case("daily 1 used up: the oldest goes", ONE_DAY, "daily=1", "o1"),
                new Case("daily unlimited keeps the oldest", ONE_DAY, "daily=-1", "o1 o3"),
                new Case("yearly 3 keeps the oldest", ONE_DAY, "yearly=3", "o1 o3"),
                new Case("last 1 + daily 1: both used up", ONE_DAY, "last=1 daily=1", "o1"),
                new Case("hourly 5: each in its own hour", ONE_DAY, "hourly=5", "o1 o2 o3"),
                new Case("last 2 keeps the two newest only", ONE_DAY, "last=2", "o1 o2"),

                new Case("within counts from the newest, not from now", SERIES, "within=7d",
                        RetentionFixtures.UTC, at("2029-06-01T00:00Z"), "s1 s2 s3 s4 s5"),
                new Case("within ignores a snapshot from the future", WITH_FUTURE, "within=7d",
                        RetentionFixtures.UTC, at("2026-11-21T00:00Z"), "f0 s1 s2 s3 s4 s5"),
                new Case("within counts from that snapshot once it is past", WITH_FUTURE, "within=7d",
                        RetentionFixtures.UTC, at("2027-06-02T00:00Z"), "f0"),
                new Case("all snapshots in the future are all kept", SERIES, "within=7d",
                        RetentionFixtures.UTC, at("2020-01-01T00:00Z"), "s1 s2 s3 s4 s5 s6 s7 s8 s9 s10"),
                new Case("future snapshots still fill count rules", WITH_FUTURE, "last=2",
                        RetentionFixtures.UTC, at("2026-11-21T00:00Z"), "f0 s1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keepsExactly(Case c) {
        c.check();
    }
}
