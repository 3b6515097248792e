package dev.lifeboat.retention;

import static dev.lifeboat.retention.RetentionFixtures.BERLIN;
import static dev.lifeboat.retention.RetentionFixtures.KOLKATA;
import static dev.lifeboat.retention.RetentionFixtures.LOS_ANGELES;
import static dev.lifeboat.retention.RetentionFixtures.UTC;
import static dev.lifeboat.retention.RetentionFixtures.snaps;

import dev.lifeboat.retention.RetentionFixtures.Case;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Calendar edges: ISO week 53, leap days, time zones and DST. */
class RetentionCalendarTest {

    // 2020 has an ISO week 53 running Mon 2020-12-28 to Sun 2021-01-03.
    static final List<RetentionSnapshot> WEEK_53_2020 = snaps(
            "w1 2021-01-04T12:00Z",  // 2021-W01
            "w2 2021-01-03T12:00Z",  // 2020-W53
            "w3 2021-01-01T12:00Z",  // 2020-W53
            "w4 2020-12-31T12:00Z",  // 2020-W53
            "w5 2020-12-28T12:00Z",  // 2020-W53
            "w6 2020-12-27T12:00Z"); // 2020-W52

    static final List<RetentionSnapshot> WEEK_53_2015 = snaps(
            "a 2016-01-04T12:00Z",  // 2016-W01
            "b 2016-01-03T12:00Z",  // 2015-W53
            "c 2015-12-31T12:00Z",  // 2015-W53
            "d 2015-12-28T12:00Z",  // 2015-W53
            "e 2015-12-27T12:00Z"); // 2015-W52

    static final List<RetentionSnapshot> WEEK_53_2026 = snaps(
            "A 2027-01-04T12:00Z",  // 2027-W01
            "B 2027-01-03T12:00Z",  // 2026-W53
            "C 2026-12-28T12:00Z",  // 2026-W53
            "D 2026-12-27T12:00Z",  // 2026-W52
            "E 2026-01-02T12:00Z",  // 2026-W01
            "F 2025-12-29T12:00Z",  // 2026-W01, though in calendar year 2025
            "G 2025-12-28T12:00Z"); // 2025-W52

    static final List<RetentionSnapshot> LEAP_BUCKETS = snaps(
            "l1 2025-02-28T12:00Z",
            "l2 2024-03-29T12:00Z",
            "l3 2024-03-01T12:00Z",
            "l4 2024-02-29T12:00Z",
            "l5 2024-02-28T12:00Z",
            "l6 2023-02-28T12:00Z");

    // One month before 2024-03-29T12:00 is 2024-02-29T12:00.
    static final List<RetentionSnapshot> LEAP_FROM_MARCH_29 = snaps(
            "a1 2024-03-29T12:00Z",
            "a2 2024-03-01T00:00Z",
            "a3 2024-02-29T18:00Z",
            "a4 2024-02-29T12:00Z",
            "a5 2024-02-28T23:00Z");

    // One year before 2025-02-28T12:00 is 2024-02-28T12:00, but 365 days before is 2024-02-29T12:00.
    static final List<RetentionSnapshot> LEAP_FROM_FEB_28 = snaps(
            "b1 2025-02-28T12:00Z",
            "b2 2024-02-29T12:00Z",
            "b3 2024-02-28T13:00Z",
            "b4 2024-02-28T12:00Z",
            "b5 2024-02-27T12:00Z");

    // One month before March 31 clamps to February 29.
    static final List<RetentionSnapshot> LEAP_FROM_MARCH_31 = snaps(
            "c1 2024-03-31T12:00Z",
            "c2 2024-03-01T12:00Z",
            "c3 2024-02-29T18:00Z",
            "c4 2024-02-29T06:00Z");

    // One year before a leap day clamps to February 28.
    static final List<RetentionSnapshot> LEAP_FROM_LEAP_DAY = snaps(
            "d1 2024-02-29T12:00Z",
            "d2 2023-03-01T00:00Z",
            "d3 2023-02-28T18:00Z",
            "d4 2023-02-28T06:00Z");

    // Local dates: UTC 20/20/20/19, Los Angeles (-8) 20/20/19/19, Kolkata (+5:30) 21/20/20/20.
    static final List<RetentionSnapshot> AROUND_MIDNIGHT = snaps(
            "c 2026-11-20T20:00Z",
            "b 2026-11-20T10:00Z",
            "a 2026-11-20T02:00Z",
            "d 2026-11-19T22:00Z");

    // Kolkata's half-hour offset puts h1 and h2 into different hours (16:10 and 15:40).
    static final List<RetentionSnapshot> HALF_HOUR = snaps(
            "h1 2026-11-20T10:40Z",
            "h2 2026-11-20T10:10Z",
            "h3 2026-11-20T08:00Z");

    // m1 is still November in Los Angeles.
    static final List<RetentionSnapshot> MONTH_END = snaps(
            "m1 2026-12-01T05:00Z",
            "m2 2026-11-15T00:00Z",
            "m3 2026-10-15T00:00Z");

    // y1 is still 2026 in Los Angeles.
    static final List<RetentionSnapshot> NEW_YEAR = snaps(
            "y1 2027-01-01T03:00Z",
            "y2 2026-06-01T00:00Z",
            "y3 2025-06-01T00:00Z");

    // x1 is Sunday 2020-W53 in UTC but Monday 2021-W01 in Kolkata.
    static final List<RetentionSnapshot> WEEK_START = snaps(
            "x1 2021-01-03T20:00Z",
            "x2 2021-01-03T10:00Z",
            "x3 2020-12-20T10:00Z");

    // Berlin springs forward on 2026-03-29 at 01:00Z. Local: p1 03-30 00:30, p2 03-29 23:30, p3 03-29 00:30.
    static final List<RetentionSnapshot> SPRING_DAY = snaps(
            "p1 2026-03-29T22:30Z",
            "p2 2026-03-29T21:30Z",
            "p3 2026-03-28T23:30Z");

    // Berlin falls back on 2026-10-25 at 01:00Z: q2 and q3 are both 02:30 local, an hour apart.
    static final List<RetentionSnapshot> FALL_HOUR = snaps(
            "q1 2026-10-25T02:30Z",
            "q2 2026-10-25T01:30Z",
            "q3 2026-10-25T00:30Z",
            "q4 2026-10-24T20:00Z");

    // In Berlin the day before 2026-03-29 12:00 CEST is 2026-03-28 12:00 CET: only 23 hours.
    static final List<RetentionSnapshot> SPRING_WITHIN = snaps(
            "r1 2026-03-29T12:00+02:00",
            "r2 2026-03-28T11:30+01:00",
            "r3 2026-03-28T10:30+01:00");

    // In Berlin the day before 2026-10-25 12:00 CET is 2026-10-24 12:00 CEST: 25 hours.
    static final List<RetentionSnapshot> FALL_WITHIN = snaps(
            "t1 2026-10-25T12:00+01:00",
            "t2 2026-10-24T12:30+02:00",
            "t3 2026-10-24T11:30+02:00");

    static Stream<Case> cases() {
        return Stream.of(
                new Case("2020-W53: weekly 2", WEEK_53_2020, "weekly=2", "w1 w2"),
                new Case("2020-W53: weekly 3 spans W53 and W52", WEEK_53_2020, "weekly=3", "w1 w2 w6"),
                new Case("2020-W53: yearly uses calendar years", WEEK_53_2020, "yearly=2", "w1 w4"),
                new Case("2020-W53: monthly", WEEK_53_2020, "monthly=2", "w1 w4"),
                new Case("2020-W53: weekly 3 + yearly 2", WEEK_53_2020, "weekly=3 yearly=2", "w1 w2 w4 w6"),
                new Case("2015-W53: weekly unlimited", WEEK_53_2015, "weekly=-1", "a b e"),
                new Case("2015-W53: weekly 2", WEEK_53_2015, "weekly=2", "a b"),
                new Case("2015-W53: yearly 2", WEEK_53_2015, "yearly=2", "a c"),
                new Case("2026-W53: weekly unlimited", WEEK_53_2026, "weekly=-1", "A B D E G"),
                new Case("2026-W53: weekly 4", WEEK_53_2026, "weekly=4", "A B D E"),
                new Case("2026-W53: weekly 5 reaches 2025-W52", WEEK_53_2026, "weekly=5", "A B D E G"),
                new Case("2026-W53: yearly 3 uses calendar years", WEEK_53_2026, "yearly=3", "A C F"),

                new Case("leap: monthly 3 keeps 2024-02-29", LEAP_BUCKETS, "monthly=3", "l1 l2 l4"),
                new Case("leap: monthly 4", LEAP_BUCKETS, "monthly=4", "l1 l2 l4 l6"),
                new Case("leap: yearly 2", LEAP_BUCKETS, "yearly=2", "l1 l2"),
                new Case("leap: yearly 3", LEAP_BUCKETS, "yearly=3", "l1 l2 l6"),
                new Case("leap: daily 4", LEAP_BUCKETS, "daily=4", "l1 l2 l3 l4"),
                new Case("leap: within 1m of 2024-03-29", LEAP_FROM_MARCH_29, "within=1m", "a1 a2 a3"),
                new Case("leap: within 29d of 2024-03-29", LEAP_FROM_MARCH_29, "within=29d", "a1 a2 a3"),
                new Case("leap: within 30d of 2024-03-29", LEAP_FROM_MARCH_29, "within=30d", "a1 a2 a3 a4 a5"),
                new Case("leap: within 1m1d of 2024-03-29", LEAP_FROM_MARCH_29, "within=1m1d",
                        "a1 a2 a3 a4 a5"),
                new Case("leap: within 1y of 2025-02-28", LEAP_FROM_FEB_28, "within=1y", "b1 b2 b3"),
                new Case("leap: within 12m of 2025-02-28", LEAP_FROM_FEB_28, "within=12m", "b1 b2 b3"),
                new Case("leap: within 365d of 2025-02-28", LEAP_FROM_FEB_28, "within=365d", "b1"),
                new Case("leap: within 366d of 2025-02-28", LEAP_FROM_FEB_28, "within=366d", "b1 b2 b3"),
                new Case("leap: within 1y1d of 2025-02-28", LEAP_FROM_FEB_28, "within=1y1d", "b1 b2 b3 b4"),
                new Case("leap: within 1m of 2024-03-31", LEAP_FROM_MARCH_31, "within=1m", "c1 c2 c3"),
                new Case("leap: within 1y of 2024-02-29", LEAP_FROM_LEAP_DAY, "within=1y", "d1 d2 d3"),

                new Case("zones: daily 2 in UTC", AROUND_MIDNIGHT, "daily=2", UTC, "c d"),
                new Case("zones: daily 2 in Los Angeles", AROUND_MIDNIGHT, "daily=2", LOS_ANGELES, "c a"),
                new Case("zones: daily 2 in Kolkata", AROUND_MIDNIGHT, "daily=2", KOLKATA, "c b"),
                new Case("zones: hourly 2 in UTC", HALF_HOUR, "hourly=2", UTC, "h1 h3"),
                new Case("zones: hourly 2 in Los Angeles", HALF_HOUR, "hourly=2", LOS_ANGELES, "h1 h3"),
                new Case("zones: hourly 2 in Kolkata", HALF_HOUR, "hourly=2", KOLKATA, "h1 h2"),
                new Case("zones: monthly 2 in UTC", MONTH_END, "monthly=2", UTC, "m1 m2"),
                new Case("zones: monthly 2 in Los Angeles", MONTH_END, "monthly=2", LOS_ANGELES, "m1 m3"),
                new Case("zones: yearly 2 in UTC", NEW_YEAR, "yearly=2", UTC, "y1 y2"),
                new Case("zones: yearly 2 in Los Angeles", NEW_YEAR, "yearly=2", LOS_ANGELES, "y1 y3"),
                new Case("zones: yearly 2 in Kolkata", NEW_YEAR, "yearly=2", KOLKATA, "y1 y2"),
                new Case("zones: weekly 2 in UTC", WEEK_START, "weekly=2", UTC, "x1 x3"),
                new Case("zones: weekly 2 in Kolkata", WEEK_START, "weekly=2", KOLKATA, "x1 x2"),

                new Case("DST spring: daily 2 in Berlin", SPRING_DAY, "daily=2", BERLIN, "p1 p2"),
                new Case("DST spring: daily 2 in UTC", SPRING_DAY, "daily=2", UTC, "p1 p3"),
                new Case("DST fall: repeated 02:00 hour is one bucket in Berlin", FALL_HOUR, "hourly=3", BERLIN,
                        "q1 q2 q4"),
                new Case("DST fall: hourly 3 in UTC", FALL_HOUR, "hourly=3", UTC, "q1 q2 q3"),
                new Case("DST spring: within 1d is 23h in Berlin", SPRING_WITHIN, "within=1d", BERLIN, "r1"),
                new Case("DST spring: within 24h in Berlin", SPRING_WITHIN, "within=24h", BERLIN, "r1 r2"),
                new Case("DST spring: within 1d in UTC", SPRING_WITHIN, "within=1d", UTC, "r1 r2"),
                new Case("DST fall: within 1d is 25h in Berlin", FALL_WITHIN, "within=1d", BERLIN, "t1 t2"),
                new Case("DST fall: within 24h in Berlin", FALL_WITHIN, "within=24h", BERLIN, "t1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keepsExactly(Case c) {
        c.check();
    }
}
