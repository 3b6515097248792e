package dev.lifeboat.retention;

import java.util.Arrays;
import java.util.Collection;
import java.util.Set;

/**
 * Which snapshots {@code forget} keeps. Counts are 0 (rule off), a positive number, or
 * {@link #UNLIMITED}. A policy always has at least one rule: an empty one would remove every
 * snapshot, which is never what a user meant.
 */
public record KeepPolicy(int last, int hourly, int daily, int weekly, int monthly, int yearly,
                         CalendarDuration within, Set<String> tags) {

    public static final int UNLIMITED = -1;

    static final String NO_RULE =
            "no keep rule given: refusing to forget every snapshot (use --keep-last, --keep-daily, ...)";

    public KeepPolicy {
        within = within == null ? CalendarDuration.ZERO : within;
        tags = tags == null ? Set.of() : Set.copyOf(tags);
        checkCount("--keep-last", last);
        checkCount("--keep-hourly", hourly);
        checkCount("--keep-daily", daily);
        checkCount("--keep-weekly", weekly);
        checkCount("--keep-monthly", monthly);
        checkCount("--keep-yearly", yearly);
        for (String tag : tags) {
            if (tag.isBlank()) {
                throw new IllegalArgumentException("invalid --keep-tag \"" + tag + "\": expected a non-empty tag");
            }
        }
        boolean noCount = last == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0;
        if (noCount && within.isZero() && tags.isEmpty()) {
            throw new IllegalArgumentException(NO_RULE);
        }
    }

    private static void checkCount(String option, int count) {
        if (count < UNLIMITED) {
            throw new IllegalArgumentException(
                    "invalid " + option + " " + count + ": expected a count of 0 or more, or -1 for unlimited");
        }
    }

    /**
     * Parses a count option's value: a whole number, {@code -1} or {@code unlimited}.
     *
     * @param option the option name for the error message, e.g. {@code --keep-daily}
     */
    public static int parseCount(String option, String text) {
        if ("unlimited".equals(text)) {
            return UNLIMITED;
        }
        int count;
        try {
            count = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "invalid " + option + " \"" + text + "\": expected a number or \"unlimited\"");
        }
        checkCount(option, count);
        return count;
    }

    /** Parses the value of {@code --keep-within}, e.g. {@code 1y6m7d12h}. */
    public static CalendarDuration parseWithin(String text) {
        return CalendarDuration.parse(text, "--keep-within");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects options one by one; {@link #build()} validates the whole policy. */
    public static final class Builder {
        private int last;
        private int hourly;
        private int daily;
        private int weekly;
        private int monthly;
        private int yearly;
        private CalendarDuration within = CalendarDuration.ZERO;
        private Set<String> tags = Set.of();

        private Builder() {
        }

        public Builder last(int n) {
            last = n;
            return this;
        }

        public Builder hourly(int n) {
            hourly = n;
            return this;
        }

        public Builder daily(int n) {
            daily = n;
            return this;
        }

        public Builder weekly(int n) {
            weekly = n;
            return this;
        }

        public Builder monthly(int n) {
            monthly = n;
            return this;
        }

        public Builder yearly(int n) {
            yearly = n;
            return this;
        }

        public Builder within(CalendarDuration d) {
            within = d;
            return this;
        }

        public Builder within(String text) {
            within = parseWithin(text);
            return this;
        }

        public Builder tags(Collection<String> t) {
            tags = Set.copyOf(t);
            return this;
        }

        public Builder tags(String... t) {
            return tags(Arrays.asList(t));
        }

        public KeepPolicy build() {
            return new KeepPolicy(last, hourly, daily, weekly, monthly, yearly, within, tags);
        }
    }
}
