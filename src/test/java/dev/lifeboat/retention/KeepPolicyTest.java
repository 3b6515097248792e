package dev.lifeboat.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class KeepPolicyTest {

    static final String NO_RULE =
            "no keep rule given: refusing to forget every snapshot (use --keep-last, --keep-daily, ...)";

    static Stream<Arguments> invalidPolicies() {
        return Stream.of(
                invalid("last -2", () -> KeepPolicy.builder().last(-2).build(),
                        "invalid --keep-last -2: expected a count of 0 or more, or -1 for unlimited"),
                invalid("hourly -5", () -> KeepPolicy.builder().hourly(-5).daily(1).build(),
                        "invalid --keep-hourly -5: expected a count of 0 or more, or -1 for unlimited"),
                invalid("daily min int", () -> KeepPolicy.builder().daily(Integer.MIN_VALUE).build(),
                        "invalid --keep-daily -2147483648: expected a count of 0 or more, or -1 for unlimited"),
                invalid("weekly -3", () -> KeepPolicy.builder().weekly(-3).last(1).build(),
                        "invalid --keep-weekly -3: expected a count of 0 or more, or -1 for unlimited"),
                invalid("monthly -2", () -> KeepPolicy.builder().monthly(-2).build(),
                        "invalid --keep-monthly -2: expected a count of 0 or more, or -1 for unlimited"),
                invalid("yearly -10", () -> KeepPolicy.builder().yearly(-10).build(),
                        "invalid --keep-yearly -10: expected a count of 0 or more, or -1 for unlimited"),
                invalid("nothing", () -> KeepPolicy.builder().build(), NO_RULE),
                invalid("all zero", () -> new KeepPolicy(0, 0, 0, 0, 0, 0, null, null), NO_RULE),
                invalid("zero within", () -> KeepPolicy.builder().within("0d").build(), NO_RULE),
                invalid("no tags", () -> KeepPolicy.builder().tags(Set.of()).build(), NO_RULE),
                invalid("empty tag", () -> KeepPolicy.builder().tags("").build(),
                        "invalid --keep-tag \"\": expected a non-empty tag"),
                invalid("blank tag", () -> KeepPolicy.builder().tags("ok", " ").build(),
                        "invalid --keep-tag \" \": expected a non-empty tag"),
                invalid("malformed within", () -> KeepPolicy.builder().within("3x").build(),
                        "invalid --keep-within \"3x\": expected a duration like 1y6m7d12h"));
    }

    static Arguments invalid(String name, Supplier<KeepPolicy> build, String message) {
        return Arguments.of(name, build, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPolicies")
    void rejectsWithOneLineMessage(String name, Supplier<KeepPolicy> build, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            last -1 alone              | -1 | 0 | 0 | 0 | 0 | 0 | 0h  | ''
            hourly alone               | 0  | 1 | 0 | 0 | 0 | 0 | 0h  | ''
            daily unlimited            | 0  | 0 | -1| 0 | 0 | 0 | 0h  | ''
            weekly alone               | 0  | 0 | 0 | 4 | 0 | 0 | 0h  | ''
            monthly alone              | 0  | 0 | 0 | 0 | 12| 0 | 0h  | ''
            yearly alone               | 0  | 0 | 0 | 0 | 0 | 3 | 0h  | ''
            within alone               | 0  | 0 | 0 | 0 | 0 | 0 | 7d  | ''
            tag alone                  | 0  | 0 | 0 | 0 | 0 | 0 | 0h  | important
            """)
    void acceptsAnySingleRule(String name, int last, int hourly, int daily, int weekly, int monthly, int yearly,
                              String within, String tag) {
        KeepPolicy p = new KeepPolicy(last, hourly, daily, weekly, monthly, yearly,
                CalendarDuration.parse(within), tag.isEmpty() ? Set.of() : Set.of(tag));
        assertEquals(last, p.last());
        assertEquals(hourly, p.hourly());
        assertEquals(daily, p.daily());
        assertEquals(weekly, p.weekly());
        assertEquals(monthly, p.monthly());
        assertEquals(yearly, p.yearly());
        assertEquals(within, p.within().toString());
        assertEquals(tag.isEmpty() ? Set.of() : Set.of(tag), p.tags());
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource({
            "3, 3",
            "0, 0",
            "-1, -1",
            "unlimited, -1",
            "2147483647, 2147483647",
    })
    void parsesCounts(String text, int expected) {
        assertEquals(expected, KeepPolicy.parseCount("--keep-daily", text));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', textBlock = """
            abc          | invalid --keep-daily "abc": expected a number or "unlimited"
            1.5          | invalid --keep-daily "1.5": expected a number or "unlimited"
            ''           | invalid --keep-daily "": expected a number or "unlimited"
            Unlimited    | invalid --keep-daily "Unlimited": expected a number or "unlimited"
            99999999999  | invalid --keep-daily "99999999999": expected a number or "unlimited"
            -2           | invalid --keep-daily -2: expected a count of 0 or more, or -1 for unlimited
            """)
    void rejectsBadCounts(String text, String message) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> KeepPolicy.parseCount("--keep-daily", text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void builderSetsEveryField() {
        KeepPolicy p = KeepPolicy.builder().last(1).hourly(2).daily(3).weekly(4).monthly(5).yearly(-1)
                .within("1y2h").tags("a", "b").build();
        assertEquals(new KeepPolicy(1, 2, 3, 4, 5, -1, new CalendarDuration(1, 0, 0, 2), Set.of("a", "b")), p);
    }

    @Test
    void tagsAreCopied() {
        Set<String> tags = new java.util.HashSet<>(Set.of("a"));
        KeepPolicy p = new KeepPolicy(0, 0, 0, 0, 0, 0, null, tags);
        tags.add("b");
        assertEquals(Set.of("a"), p.tags());
        assertEquals(CalendarDuration.ZERO, p.within());
    }
}
