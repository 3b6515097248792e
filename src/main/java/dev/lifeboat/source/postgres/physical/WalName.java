package dev.lifeboat.source.postgres.physical;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's WAL file names: a segment is {@code TTTTTTTTXXXXXXXXYYYYYYYY} (timeline, then the
 * segment number split at 4 GiB), a timeline's history is {@code TTTTTTTT.history}.
 */
public final class WalName {
    public static final int DEFAULT_SEGMENT_SIZE = 16 * 1024 * 1024;
    private static final Pattern SEGMENT = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})");
    private static final Pattern HISTORY = Pattern.compile("([0-9A-F]{8})\\.history");

    private WalName() {
    }

    /** Segments per 4 GiB "xlogid". */
    static long perId(int segmentSize) {
        return 0x100000000L / segmentSize;
    }

    public static String segment(int timeline, long segno, int segmentSize) {
        long per = perId(segmentSize);
        return String.format("%08X%08X%08X", timeline, segno / per, segno % per);
    }

    public static String history(int timeline) {
        return String.format("%08X.history", timeline);
    }

    public static boolean isSegment(String name) {
        return SEGMENT.matcher(name).matches();
    }

    public static boolean isHistory(String name) {
        return HISTORY.matcher(name).matches();
    }

    public static int timelineOf(String name) {
        return Integer.parseUnsignedInt(name.substring(0, 8), 16);
    }

    public static long segnoOf(String name, int segmentSize) {
        Matcher m = SEGMENT.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a WAL segment name: " + name);
        }
        return Long.parseLong(m.group(2), 16) * perId(segmentSize) + Long.parseLong(m.group(3), 16);
    }

    public static long segnoOf(Lsn lsn, int segmentSize) {
        return Long.divideUnsigned(lsn.value(), segmentSize);
    }

    public static Lsn startOf(long segno, int segmentSize) {
        return new Lsn(segno * segmentSize);
    }
}
