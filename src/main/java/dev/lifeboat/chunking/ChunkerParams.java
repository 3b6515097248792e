package dev.lifeboat.chunking;

/** Content-defined chunking sizes in bytes; avg must be a power of two between min and max. */
public record ChunkerParams(int min, int avg, int max) {
    public static final ChunkerParams DEFAULT = new ChunkerParams(512 * 1024, 1024 * 1024, 8 * 1024 * 1024);

    public ChunkerParams {
        if (min < 64 || !(min < avg && avg < max) || Integer.bitCount(avg) != 1 || max > 64 * 1024 * 1024) {
            throw new IllegalArgumentException("invalid chunker sizes min=" + min + " avg=" + avg + " max=" + max
                    + ": need 64 <= min < avg < max <= 64 MiB and avg a power of two");
        }
    }
}
