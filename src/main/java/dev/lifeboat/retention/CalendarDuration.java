package dev.lifeboat.retention;

import java.time.Instant;
import java.time.Period;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A restic-style duration such as {@code 2y5m7d3h}. Years, months and days are calendar units
 * (a month back from March 29 is February 29 in a leap year, a day across a DST change is 23 or
 * 25 hours); hours are exact.
 */
public record CalendarDuration(int years, int months, int days, int hours) {

    public static final CalendarDuration ZERO = new CalendarDuration(0, 0, 0, 0);

    /** Large enough for any sane retention, small enough that subtracting never leaves java.time's range. */
    public static final int MAX_PART = 1_000_000;

    private static final Pattern PART = Pattern.compile("(\\d+)([ymdh])");
    private static final String EXPECTED = "expected a duration like 1y6m7d12h";

    public CalendarDuration {
        for (int part : new int[] {years, months, days, hours}) {
            if (part < 0 || part > MAX_PART) {
                throw new IllegalArgumentException(
                        "invalid duration " + years + "y" + months + "m" + days + "d" + hours
                                + "h: each part must be between 0 and " + MAX_PART);
            }
        }
    }

    /** Parses {@code 1y6m7d12h}; parts may come in any order, each unit at most once. */
    public static CalendarDuration parse(String text) {
        return parse(text, "duration");
    }

    /** Same as {@link #parse(String)}, naming {@code what} (e.g. {@code --keep-within}) in errors. */
    static CalendarDuration parse(String text, String what) {
        String quoted = "invalid " + what + " \"" + text + "\": ";
        // Trimmed because restic trims too, and shells or config files easily add blanks.
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException(quoted + EXPECTED);
        }
        int[] parts = {-1, -1, -1, -1};
        Matcher m = PART.matcher(s);
        int pos = 0;
        while (pos < s.length()) {
            m.region(pos, s.length());
            if (!m.lookingAt()) {
                throw new IllegalArgumentException(quoted + EXPECTED);
            }
            int slot = "ymdh".indexOf(m.group(2).charAt(0));
            if (parts[slot] >= 0) {
                throw new IllegalArgumentException(quoted + "unit " + m.group(2) + " given twice");
            }
            parts[slot] = parseNumber(m.group(1), quoted);
            pos = m.end();
        }
        return new CalendarDuration(
                Math.max(parts[0], 0), Math.max(parts[1], 0), Math.max(parts[2], 0), Math.max(parts[3], 0));
    }

    private static int parseNumber(String digits, String quoted) {
        // The length check keeps parseInt from overflowing on absurd input.
        int value = digits.length() > 7 ? Integer.MAX_VALUE : Integer.parseInt(digits);
        if (value > MAX_PART) {
            throw new IllegalArgumentException(quoted + "each number must be at most " + MAX_PART);
        }
        return value;
    }

    public boolean isZero() {
        return equals(ZERO);
    }

    /**
     * The instant this duration before {@code reference}, with calendar parts applied to the
     * local date in {@code zone}. Java clamps to the month's end (March 31 minus 1m is
     * February 29), where Go's AddDate, used by restic, overflows into March; clamping keeps
     * slightly more, which is the safe side for a backup tool.
     */
    public Instant before(Instant reference, ZoneId zone) {
        return reference.atZone(zone)
                .minus(Period.of(years, months, days))
                .minusHours(hours)
                .toInstant();
    }

    /** Canonical form, e.g. {@code 1y6m7d12h}; zero parts are left out. */
    @Override
    public String toString() {
        if (isZero()) {
            return "0h";
        }
        StringBuilder sb = new StringBuilder();
        append(sb, years, 'y');
        append(sb, months, 'm');
        append(sb, days, 'd');
        append(sb, hours, 'h');
        return sb.toString();
    }

    private static void append(StringBuilder sb, int value, char unit) {
        if (value != 0) {
            sb.append(value).append(unit);
        }
    }
}
