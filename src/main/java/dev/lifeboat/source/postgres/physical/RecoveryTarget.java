package dev.lifeboat.source.postgres.physical;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Where recovery stops: the end of the WAL, or a time, WAL position, transaction or named restore point. */
public record RecoveryTarget(Kind kind, String value, boolean inclusive) {
    public enum Kind { LATEST, TIME, LSN, XID, NAME }

    public static RecoveryTarget latest() {
        return new RecoveryTarget(Kind.LATEST, null, true);
    }

    public RecoveryTarget {
        if (kind == Kind.LSN) {
            Lsn.parse(value);
        }
        if (kind == Kind.XID && !value.matches("\\d{1,19}")) {
            throw new IllegalArgumentException("--target-xid must be a transaction id (a number), not " + value);
        }
        if (kind == Kind.TIME) {
            parseTime(value);
        }
    }

    /** Accepts ISO-8601 with an offset, or "YYYY-MM-DD HH:MM:SS[.fff][+zz]" as PostgreSQL prints it; no offset means local time. */
    public static Instant parseTime(String s) {
        String t = s.strip().replace(' ', 'T');
        if (t.matches(".*[+-]\\d\\d$")) {
            t = t + ":00";
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(t);
            } catch (DateTimeParseException e2) {
                try {
                    return LocalDateTime.parse(t).atZone(ZoneId.systemDefault()).toInstant();
                } catch (DateTimeParseException e3) {
                    throw new IllegalArgumentException("--target-time: cannot read \"" + s
                            + "\" as a time (use e.g. 2026-11-23T10:15:30Z or '2026-11-23 10:15:30+00')");
                }
            }
        }
    }

    public Instant time() {
        return parseTime(value);
    }

    /** The value as PostgreSQL reads it in recovery_target_time: with an explicit UTC offset. */
    String postgresTime() {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").format(time().atOffset(java.time.ZoneOffset.UTC));
    }

    @Override
    public String toString() {
        return switch (kind) {
            case LATEST -> "the end of the stored WAL";
            case TIME -> "time " + value;
            case LSN -> "WAL position " + value;
            case XID -> "transaction " + value;
            case NAME -> "restore point \"" + value + "\"";
        };
    }
}
