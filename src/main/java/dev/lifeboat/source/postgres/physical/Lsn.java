package dev.lifeboat.source.postgres.physical;

/** A WAL position (PostgreSQL's pg_lsn), printed as PostgreSQL prints it: {@code 16/B374D848}. */
public record Lsn(long value) implements Comparable<Lsn> {
    public static final Lsn ZERO = new Lsn(0);

    public static Lsn parse(String s) {
        int slash = s.indexOf('/');
        if (slash <= 0 || slash == s.length() - 1) {
            throw new IllegalArgumentException("not a WAL position (LSN): " + s + " (expected e.g. 0/3000060)");
        }
        try {
            long hi = Long.parseLong(s.substring(0, slash).strip(), 16);
            long lo = Long.parseLong(s.substring(slash + 1).strip(), 16);
            if (hi > 0xFFFFFFFFL || lo > 0xFFFFFFFFL || hi < 0 || lo < 0) {
                throw new NumberFormatException();
            }
            return new Lsn(hi << 32 | lo);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a WAL position (LSN): " + s + " (expected e.g. 0/3000060)");
        }
    }

    public Lsn plus(long bytes) {
        return new Lsn(value + bytes);
    }

    public boolean before(Lsn o) {
        return Long.compareUnsigned(value, o.value) < 0;
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }
}
