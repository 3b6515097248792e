package dev.lifeboat.retention;

import static dev.lifeboat.retention.RetentionFixtures.at;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.ZoneId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bucket labels are both the bucket identity and what users read in reasons. */
class BucketKindTest {

    @ParameterizedTest(name = "{0} {1} in {2}")
    @CsvSource({
            "WEEKLY,  2021-01-01T12:00Z, UTC,           2020-W53",
            "WEEKLY,  2020-12-31T12:00Z, UTC,           2020-W53",
            "WEEKLY,  2020-12-28T00:00Z, UTC,           2020-W53",
            "WEEKLY,  2021-01-03T23:59Z, UTC,           2020-W53",
            "WEEKLY,  2021-01-04T00:00Z, UTC,           2021-W01",
            "WEEKLY,  2015-12-31T12:00Z, UTC,           2015-W53",
            "WEEKLY,  2016-01-03T12:00Z, UTC,           2015-W53",
            "WEEKLY,  2026-12-31T12:00Z, UTC,           2026-W53",
            "WEEKLY,  2027-01-03T12:00Z, UTC,           2026-W53",
            "WEEKLY,  2025-12-29T12:00Z, UTC,           2026-W01",
            "WEEKLY,  2019-12-30T12:00Z, UTC,           2020-W01",
            "WEEKLY,  2024-12-30T12:00Z, UTC,           2025-W01",
            "WEEKLY,  2026-11-20T12:00Z, UTC,           2026-W47",
            "WEEKLY,  2021-01-03T20:00Z, Asia/Kolkata,  2021-W01",
            "HOURLY,  2026-11-20T10:40Z, Asia/Kolkata,  2026-11-20 16:00",
            "HOURLY,  2026-10-25T00:30Z, Europe/Berlin, 2026-10-25 02:00",
            "HOURLY,  2026-10-25T01:30Z, Europe/Berlin, 2026-10-25 02:00",
            "HOURLY,  2026-03-29T01:30Z, Europe/Berlin, 2026-03-29 03:00",
            "DAILY,   2024-02-29T23:00Z, UTC,           2024-02-29",
            "DAILY,   2024-02-29T23:00Z, Asia/Kolkata,  2024-03-01",
            "DAILY,   2026-11-20T02:00Z, America/Los_Angeles, 2026-11-19",
            "MONTHLY, 2024-02-29T12:00Z, UTC,           2024-02",
            "MONTHLY, 2026-12-01T05:00Z, America/Los_Angeles, 2026-11",
            "YEARLY,  2021-01-01T12:00Z, UTC,           2021",
            "YEARLY,  2027-01-01T03:00Z, America/Los_Angeles, 2026",
    })
    void labels(BucketKind kind, String time, String zone, String label) {
        assertEquals(label, kind.label(at(time).atZone(ZoneId.of(zone))));
    }
}
