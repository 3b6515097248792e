package dev.lifeboat.retention;

import java.time.YearMonth;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.Locale;

/** The counted keep rules: {@code --keep-last} and the calendar buckets. */
enum BucketKind {
    LAST("--keep-last", "last"),
    HOURLY("--keep-hourly", "hourly"),
    DAILY("--keep-daily", "daily"),
    WEEKLY("--keep-weekly", "weekly"),
    MONTHLY("--keep-monthly", "monthly"),
    YEARLY("--keep-yearly", "yearly");

    final String option;
    private final String word;

    BucketKind(String option, String word) {
        this.option = option;
        this.word = word;
    }

    /**
     * The bucket a local time falls in, which doubles as its label in reasons; {@code null} for
     * {@link #LAST}, where every snapshot is its own bucket. Locale.ROOT because some default
     * locales would print non-ASCII digits.
     */
    String label(ZonedDateTime t) {
        return switch (this) {
            case LAST -> null;
            case HOURLY -> String.format(Locale.ROOT, "%s %02d:00", t.toLocalDate(), t.getHour());
            case DAILY -> t.toLocalDate().toString();
            // ISO week-based year: 2021-01-01 belongs to 2020-W53, not to 2021.
            case WEEKLY -> String.format(Locale.ROOT, "%d-W%02d",
                    t.get(IsoFields.WEEK_BASED_YEAR), t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case MONTHLY -> YearMonth.from(t).toString();
            case YEARLY -> Integer.toString(t.getYear());
        };
    }

    String reason(String label) {
        return label == null ? word + " snapshot" : word + " snapshot " + label;
    }

    int count(KeepPolicy policy) {
        return switch (this) {
            case LAST -> policy.last();
            case HOURLY -> policy.hourly();
            case DAILY -> policy.daily();
            case WEEKLY -> policy.weekly();
            case MONTHLY -> policy.monthly();
            case YEARLY -> policy.yearly();
        };
    }
}
