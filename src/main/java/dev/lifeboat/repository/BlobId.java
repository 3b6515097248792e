package dev.lifeboat.repository;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** A 32-byte id (keyed hash of a blob's plaintext, or SHA-256 of a stored file), held as four longs. */
public record BlobId(long a, long b, long c, long d) implements Comparable<BlobId> {
    public static final int LENGTH = 32;

    public static BlobId of(byte[] bytes) {
        return of(bytes, 0);
    }

    public static BlobId of(byte[] bytes, int off) {
        ByteBuffer bb = ByteBuffer.wrap(bytes, off, LENGTH);
        return new BlobId(bb.getLong(), bb.getLong(), bb.getLong(), bb.getLong());
    }

    public static BlobId parse(String hex) {
        if (hex.length() != 64) {
            throw new IllegalArgumentException("invalid id \"" + hex + "\": expected 64 hex digits");
        }
        return of(HexFormat.of().parseHex(hex));
    }

    public byte[] bytes() {
        return ByteBuffer.allocate(LENGTH).putLong(a).putLong(b).putLong(c).putLong(d).array();
    }

    public void writeTo(ByteBuffer bb) {
        bb.putLong(a).putLong(b).putLong(c).putLong(d);
    }

    public static BlobId read(ByteBuffer bb) {
        return new BlobId(bb.getLong(), bb.getLong(), bb.getLong(), bb.getLong());
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes());
    }

    public String shortHex() {
        return hex().substring(0, 8);
    }

    @Override
    public String toString() {
        return hex();
    }

    @Override
    public int compareTo(BlobId o) {
        int r = Long.compareUnsigned(a, o.a);
        if (r == 0) r = Long.compareUnsigned(b, o.b);
        if (r == 0) r = Long.compareUnsigned(c, o.c);
        if (r == 0) r = Long.compareUnsigned(d, o.d);
        return r;
    }
}
