package dev.lifeboat.repository;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Blob id → location, as an open-addressing hash table in one off-heap buffer of fixed 52-byte
 * slots, so a repository with millions of blobs costs ~70 bytes per blob outside the Java heap
 * instead of several hundred bytes of objects inside it. Ids are keyed hashes, so their first
 * eight bytes are already uniformly distributed and serve as the hash.
 */
public final class BlobIndex {
    private static final int SLOT = 52;
    private static final int ID = 0, PACK = 32, OFFSET = 36, LENGTH = 40, RAW = 44, TYPE = 48, FLAGS = 49;
    private static final double LOAD = 0.7;

    private ByteBuffer table;
    private int capacity;
    private int size;
    private final List<BlobId> packs = new ArrayList<>();
    private final Map<BlobId, Integer> packNumbers = new HashMap<>();

    public BlobIndex() {
        allocate(1 << 14);
    }

    private void allocate(int slots) {
        if ((long) slots * SLOT > Integer.MAX_VALUE) {
            throw new IllegalStateException("index too large for one table (" + slots + " slots)");
        }
        capacity = slots;
        table = ByteBuffer.allocateDirect(slots * SLOT);
    }

    /** Forgets every entry. */
    public synchronized void clear() {
        allocate(1 << 14);
        size = 0;
        packs.clear();
        packNumbers.clear();
    }

    public synchronized int size() {
        return size;
    }

    public synchronized boolean hasPack(BlobId pack) {
        return packNumbers.containsKey(pack);
    }

    public synchronized int packCount() {
        return packs.size();
    }

    /** Adds the entry unless the blob is already known; returns whether it was added. */
    public synchronized boolean add(PackEntry e) {
        if (size + 1 > capacity * LOAD) {
            grow();
        }
        int slot = find(e.id());
        if (table.getInt(slot * SLOT + LENGTH) != 0) {
            return false;
        }
        write(slot, e.id(), packNumber(e.pack()), e);
        size++;
        return true;
    }

    /** Makes room for this many more entries at once, so loading an index rehashes no table. */
    public synchronized void reserve(int more) {
        long needed = (long) ((size + (long) more) / LOAD) + 1;
        int slots = capacity;
        while (slots < needed) {
            slots *= 2;
        }
        while (slots > capacity) {
            grow();
        }
    }

    /**
     * Adds every blob record of one pack straight from an index file's bytes (records of
     * {@link IndexFile#ENTRY} bytes from off): no objects per blob, which is what makes loading a
     * large index cheap at start-up, while the code still runs interpreted.
     */
    synchronized void addRecords(BlobId pack, ByteBuffer records, int off, int count) {
        int packNo = packNumber(pack);
        ByteBuffer le = records.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0, r = off; i < count; i++, r += IndexFile.ENTRY) {
            if (size + 1 > capacity * LOAD) {
                grow();
            }
            long a = records.getLong(r + 14), b = records.getLong(r + 22), c = records.getLong(r + 30), d = records.getLong(r + 38);
            int slot = find(a, b, c, d);
            int base = slot * SLOT;
            if (table.getInt(base + LENGTH) != 0) {
                continue;
            }
            table.putLong(base + ID, a).putLong(base + ID + 8, b).putLong(base + ID + 16, c).putLong(base + ID + 24, d);
            table.putInt(base + PACK, packNo);
            table.putInt(base + OFFSET, le.getInt(r + 2));
            table.putInt(base + LENGTH, le.getInt(r + 6));
            table.putInt(base + RAW, le.getInt(r + 10));
            table.put(base + TYPE, records.get(r));
            table.put(base + FLAGS, records.get(r + 1));
            size++;
        }
    }

    private int packNumber(BlobId pack) {
        return packNumbers.computeIfAbsent(pack, p -> {
            packs.add(p);
            return packs.size() - 1;
        });
    }

    private void write(int slot, BlobId id, int packNo, PackEntry e) {
        int base = slot * SLOT;
        table.putLong(base + ID, id.a()).putLong(base + ID + 8, id.b())
                .putLong(base + ID + 16, id.c()).putLong(base + ID + 24, id.d());
        table.putInt(base + PACK, packNo);
        table.putInt(base + OFFSET, (int) e.offset());
        table.putInt(base + LENGTH, e.length());
        table.putInt(base + RAW, e.rawLength());
        table.put(base + TYPE, (byte) e.type().code);
        table.put(base + FLAGS, (byte) e.flags());
    }

    /** The slot holding id, or the empty slot where it would go. */
    private int find(BlobId id) {
        return find(id.a(), id.b(), id.c(), id.d());
    }

    private int find(long a, long b, long c, long d) {
        int mask = capacity - 1;
        int slot = (int) (a ^ (a >>> 32)) & mask;
        while (true) {
            int base = slot * SLOT;
            if (table.getInt(base + LENGTH) == 0) {
                return slot;
            }
            if (table.getLong(base) == a && table.getLong(base + 8) == b
                    && table.getLong(base + 16) == c && table.getLong(base + 24) == d) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    private void grow() {
        ByteBuffer old = table;
        int oldCapacity = capacity;
        allocate(capacity * 2);
        for (int s = 0; s < oldCapacity; s++) {
            int base = s * SLOT;
            if (old.getInt(base + LENGTH) != 0) {
                int slot = find(old.getLong(base), old.getLong(base + 8), old.getLong(base + 16), old.getLong(base + 24));
                table.put(slot * SLOT, old, base, SLOT);
            }
        }
    }

    public synchronized boolean contains(BlobId id) {
        return table.getInt(find(id) * SLOT + LENGTH) != 0;
    }

    /** The location of id, or null. */
    public synchronized PackEntry get(BlobId id) {
        int base = find(id) * SLOT;
        if (table.getInt(base + LENGTH) == 0) {
            return null;
        }
        return entryAt(base, id);
    }

    private PackEntry entryAt(int base, BlobId id) {
        return new PackEntry(id, BlobType.of(table.get(base + TYPE)), packs.get(table.getInt(base + PACK)),
                Integer.toUnsignedLong(table.getInt(base + OFFSET)), table.getInt(base + LENGTH),
                table.getInt(base + RAW), table.get(base + FLAGS) & 0xff);
    }

    public synchronized void forEach(Consumer<PackEntry> action) {
        for (int s = 0; s < capacity; s++) {
            int base = s * SLOT;
            if (table.getInt(base + LENGTH) != 0) {
                BlobId id = new BlobId(table.getLong(base), table.getLong(base + 8), table.getLong(base + 16), table.getLong(base + 24));
                action.accept(entryAt(base, id));
            }
        }
    }

    /** Off-heap bytes used by the table, for stats and the memory benchmark. */
    public synchronized long memoryBytes() {
        return (long) capacity * SLOT;
    }
}
