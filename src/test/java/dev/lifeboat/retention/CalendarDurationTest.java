package dev.lifeboat.retention;

import static dev.lifeboat.retention.RetentionFixtures.BERLIN;
import static dev.lifeboat.retention.RetentionFixtures.UTC;
import static dev.lifeboat.retention.RetentionFixtures.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CalendarDurationTest {

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', textBlock = """
            7d          | 0 | 0 | 7 | 0  | 7d
            12h         | 0 | 0 | 0 | 12 | 12h
            1y6m7d12h   | 1 | 6 | 7 | 12 | 1y6m7d12h
            2y5m7d3h    | 2 | 5 | 7 | 3  | 2y5m7d3h
            3h2d        | 0 | 0 | 2 | 3  | 2d3h
            1m          | 0 | 1 | 0 | 0  | 1m
            0y1m        | 0 | 1 | 0 | 0  | 1m
            '  7d '     | 0 | 0 | 7 | 0  | 7d
            007d        | 0 | 0 | 7 | 0  | 7d
            0d          | 0 | 0 | 0 | 0  | 0h
            1000000h    | 0 | 0 | 0 | 1000000 | 1000000h
            """)
    void parses(String text, int years, int months, int days, int hours, String canonical) {
        CalendarDuration d = CalendarDuration.parse(text);
        assertEquals(new CalendarDuration(years, months, days, hours), d);
        assertEquals(canonical, d.toString());
        assertEquals(d, CalendarDuration.parse(d.toString()), "canonical form parses back");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', textBlock = """
            3x        | invalid --keep-within "3x": expected a duration like 1y6m7d12h
            ''        | invalid --keep-within "": expected a duration like 1y6m7d12h
            '   '     | invalid --keep-within "   ": expected a duration like 1y6m7d12h
            d         | invalid --keep-within "d": expected a duration like 1y6m7d12h
            7         | invalid --keep-within "7": expected a duration like 1y6m7d12h
            7d3       | invalid --keep-within "7d3": expected a duration like 1y6m7d12h
            1.5d      | invalid --keep-within "1.5d": expected a duration like 1y6m7d12h
            -1d       | invalid --keep-within "-1d": expected a duration like 1y6m7d12h
            +1d       | invalid --keep-within "+1d": expected a duration like 1y6m7d12h
            7D        | invalid --keep-within "7D": expected a duration like 1y6m7d12h
            1 d       | invalid --keep-within "1 d": expected a duration like 1y6m7d12h
            1w        | invalid --keep-within "1w": expected a duration like 1y6m7d12h
            1d 2h     | invalid --keep-within "1d 2h": expected a duration like 1y6m7d12h
            ٣d        | invalid --keep-within "٣d": expected a duration like 1y6m7d12h
            1d2d      | invalid --keep-within "1d2d": unit d given twice
            1000001d  | invalid --keep-within "1000001d": each number must be at most 1000000
            99999999999999999999y | invalid --keep-within "99999999999999999999y": each number must be at most 1000000
            """)
    void rejects(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeepPolicy.parseWithin(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void parseWithoutOptionNameSaysDuration() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CalendarDuration.parse("3x"));
        assertEquals("invalid duration \"3x\": expected a duration like 1y6m7d12h", e.getMessage());
    }

    @Test
    void nullIsMalformed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeepPolicy.parseWithin(null));
        assertEquals("invalid --keep-within \"null\": expected a duration like 1y6m7d12h", e.getMessage());
    }

    @ParameterizedTest(name = "{0} before {1} in {2}")
    @CsvSource({
            "1m,   2024-03-29T12:00Z, UTC,           2024-02-29T12:00Z",
            "1m,   2024-03-31T12:00Z, UTC,           2024-02-29T12:00Z",
            "1y,   2025-02-28T12:00Z, UTC,           2024-02-28T12:00Z",
            "1y,   2024-02-29T12:00Z, UTC,           2023-02-28T12:00Z",
            "365d, 2025-02-28T12:00Z, UTC,           2024-02-29T12:00Z",
            "1m1d, 2024-03-31T12:00Z, UTC,           2024-02-28T12:00Z",
            "1d,   2026-03-29T10:00Z, Europe/Berlin, 2026-03-28T11:00Z",
            "24h,  2026-03-29T10:00Z, Europe/Berlin, 2026-03-28T10:00Z",
            "1d,   2026-10-25T11:00Z, Europe/Berlin, 2026-10-24T10:00Z",
            "1d2h, 2026-10-25T11:00Z, Europe/Berlin, 2026-10-24T08:00Z",
            "1d,   2026-11-20T03:00Z, Asia/Kolkata,  2026-11-19T03:00Z",
    })
    void before(String duration, String reference, String zone, String expected) {
        assertEquals(at(expected), CalendarDuration.parse(duration).before(at(reference), ZoneId.of(zone)));
    }

    @Test
    void largestDurationStaysInRange() {
        // 2026 - 1e6 years - 83,333 years (months) - 2,738 years (days) - 114 years (hours), roughly.
        CalendarDuration max = new CalendarDuration(1_000_000, 1_000_000, 1_000_000, 1_000_000);
        assertEquals(-1_084_160, max.before(at("2026-01-01T00:00Z"), BERLIN).atZone(UTC).getYear());
    }

    @Test
    void constructorRejectsNegativeParts() {
        assertThrows(IllegalArgumentException.class, () -> new CalendarDuration(0, -1, 0, 0));
    }
}
