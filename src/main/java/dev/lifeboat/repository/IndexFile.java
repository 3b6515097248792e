package dev.lifeboat.repository;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary encoding of an index file's plaintext (see docs/FORMAT.md): "LBIX", version 1, then per
 * pack its id, size, blob count and one 46-byte record per blob.
 */
public final class IndexFile {
    private static final int MAGIC = 0x4c424958; // "LBIX"
    static final int ENTRY = 1 + 1 + 4 + 4 + 4 + BlobId.LENGTH;

    private IndexFile() {
    }

    /** The blobs one pack holds, and the pack's exact size in bytes (so truncation is caught cheaply). */
    public record PackBlobs(BlobId pack, long size, List<PackEntry> blobs) {
    }

    public static byte[] encode(List<PackBlobs> packs) {
        Writer w = new Writer();
        for (PackBlobs p : packs) {
            w.add(p.pack(), p.size(), p.blobs());
        }
        return w.bytes();
    }

    /**
     * An index file being gathered pack by pack, held in its encoded form: 46 bytes a blob instead
     * of the records and ids as objects (some 150 bytes a blob on the heap, for the tens of
     * thousands of blobs a backup gathers between two index files).
     */
    public static final class Writer {
        private byte[] buf = new byte[4096];
        private int len;
        private int packs;
        private int blobs;

        public Writer() {
            clear();
        }

        public void add(BlobId pack, long size, List<PackEntry> entries) {
            ensure(BlobId.LENGTH + 8 + 4 + entries.size() * ENTRY);
            ByteBuffer bb = ByteBuffer.wrap(buf, len, buf.length - len);
            pack.writeTo(bb.order(ByteOrder.BIG_ENDIAN));
            bb.order(ByteOrder.LITTLE_ENDIAN).putLong(size).putInt(entries.size());
            for (PackEntry e : entries) {
                bb.put((byte) e.type().code).put((byte) e.flags())
                        .putInt((int) e.offset()).putInt(e.length()).putInt(e.rawLength());
                e.id().writeTo(bb.order(ByteOrder.BIG_ENDIAN));
                bb.order(ByteOrder.LITTLE_ENDIAN);
            }
            len = bb.position();
            packs++;
            blobs += entries.size();
        }

        private void ensure(int more) {
            if (buf.length - len < more) {
                buf = java.util.Arrays.copyOf(buf, Math.max(len + more, buf.length + (buf.length >> 1)));
            }
        }

        public boolean isEmpty() {
            return packs == 0;
        }

        public int packs() {
            return packs;
        }

        public int blobs() {
            return blobs;
        }

        /** The index file's plaintext. */
        public byte[] bytes() {
            return java.util.Arrays.copyOf(buf, len);
        }

        /** Forgets what was added; the buffer shrinks back, so a long backup does not keep its largest batch. */
        public void clear() {
            buf = new byte[4096];
            ByteBuffer.wrap(buf).putInt(MAGIC).put((byte) 1);
            len = 5;
            packs = 0;
            blobs = 0;
        }
    }

    /**
     * Adds every blob of an index file to the index without building its records as objects. The
     * whole file is validated before the first blob is added, so a malformed file adds nothing.
     */
    public static void addTo(BlobIndex index, byte[] data, String name) throws CorruptObjectException {
        ByteBuffer bb = ByteBuffer.wrap(data);
        int blobs = 0;
        try {
            if (bb.getInt() != MAGIC || bb.get() != 1) {
                throw new CorruptObjectException(name, "is not an index file of a known version");
            }
            while (bb.hasRemaining()) {
                bb.position(bb.position() + BlobId.LENGTH + 8);
                int n = bb.order(ByteOrder.LITTLE_ENDIAN).getInt();
                bb.order(ByteOrder.BIG_ENDIAN);
                if (n < 0 || (long) n * ENTRY > bb.remaining()) {
                    throw new CorruptObjectException(name, "has an invalid blob count");
                }
                for (int i = 0, r = bb.position(); i < n; i++, r += ENTRY) {
                    BlobType.of(bb.get(r)); // an unknown type is a malformed file
                    PackEntry.checkedFlags(bb.get(r + 1), name);
                }
                bb.position(bb.position() + n * ENTRY);
                blobs += n;
            }
        } catch (RuntimeException e) {
            throw new CorruptObjectException(name, "is malformed");
        }
        index.reserve(blobs);
        bb.position(5);
        while (bb.hasRemaining()) {
            BlobId pack = BlobId.read(bb);
            bb.position(bb.position() + 8);
            int n = bb.order(ByteOrder.LITTLE_ENDIAN).getInt();
            bb.order(ByteOrder.BIG_ENDIAN);
            index.addRecords(pack, bb, bb.position(), n);
            bb.position(bb.position() + n * ENTRY);
        }
    }

    public static List<PackBlobs> decode(byte[] data, String name) throws CorruptObjectException {
        try {
            ByteBuffer bb = ByteBuffer.wrap(data);
            if (bb.getInt() != MAGIC || bb.get() != 1) {
                throw new CorruptObjectException(name, "is not an index file of a known version");
            }
            List<PackBlobs> out = new ArrayList<>();
            while (bb.hasRemaining()) {
                BlobId pack = BlobId.read(bb.order(ByteOrder.BIG_ENDIAN));
                long packSize = bb.order(ByteOrder.LITTLE_ENDIAN).getLong();
                int n = bb.getInt();
                if (n < 0 || (long) n * ENTRY > bb.remaining()) {
                    throw new CorruptObjectException(name, "has an invalid blob count");
                }
                List<PackEntry> blobs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    BlobType type = BlobType.of(bb.get());
                    int flags = PackEntry.checkedFlags(bb.get(), name);
                    long offset = Integer.toUnsignedLong(bb.getInt());
                    int length = bb.getInt();
                    int raw = bb.getInt();
                    BlobId id = BlobId.read(bb.order(ByteOrder.BIG_ENDIAN));
                    bb.order(ByteOrder.LITTLE_ENDIAN);
                    blobs.add(new PackEntry(id, type, pack, offset, length, raw, flags));
                }
                out.add(new PackBlobs(pack, packSize, blobs));
            }
            return out;
        } catch (RuntimeException e) {
            throw new CorruptObjectException(name, "is malformed");
        }
    }
}
