package dev.lifeboat.repository;

/**
 * Where one blob lives: pack, byte offset and stored (sealed) length, the plaintext length, and
 * its flags (FORMAT.md §5.2): whether the plaintext was zstd-compressed before sealing, and
 * whether it was sealed with its type and id as associated data.
 */
public record PackEntry(BlobId id, BlobType type, BlobId pack, long offset, int length, int rawLength, int flags) {
    public static final int COMPRESSED = 1;
    /** Sealed with {@link #associatedData}: the AEAD tag then vouches for the id, not only the bytes. */
    public static final int ID_BOUND = 2;
    private static final int KNOWN = COMPRESSED | ID_BOUND;

    public boolean compressed() {
        return (flags & COMPRESSED) != 0;
    }

    public boolean idBound() {
        return (flags & ID_BOUND) != 0;
    }

    /** A flags byte read from a pack header or an index file (name), refused when it has a bit this version does not know. */
    static int checkedFlags(byte stored, String name) throws CorruptObjectException {
        int flags = stored & 0xff;
        if ((flags & ~KNOWN) != 0) {
            throw new CorruptObjectException(name, "has a blob with flags this version does not know (" + flags + ")");
        }
        return flags;
    }

    /** The flags of a blob sealed by this version: always bound to its id. */
    public static int flags(boolean compressed) {
        return ID_BOUND | (compressed ? COMPRESSED : 0);
    }

    /** The associated data an id-bound blob is sealed with: its type code, then its id. */
    public static byte[] associatedData(BlobType type, BlobId id) {
        byte[] aad = new byte[1 + BlobId.LENGTH];
        aad[0] = (byte) type.code;
        System.arraycopy(id.bytes(), 0, aad, 1, BlobId.LENGTH);
        return aad;
    }

    PackEntry in(BlobId pack) {
        return new PackEntry(id, type, pack, offset, length, rawLength, flags);
    }
}
