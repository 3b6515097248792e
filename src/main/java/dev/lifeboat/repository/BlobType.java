package dev.lifeboat.repository;

/** What a blob holds; stored as one byte in pack headers and index files. */
public enum BlobType {
    DATA(0), TREE(1);

    public final int code;

    BlobType(int code) {
        this.code = code;
    }

    public static BlobType of(int code) {
        return switch (code) {
            case 0 -> DATA;
            case 1 -> TREE;
            default -> throw new IllegalArgumentException("unknown blob type " + code);
        };
    }
}
