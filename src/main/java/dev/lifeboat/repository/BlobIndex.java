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

    public synchronized int size() {
        return size;
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
        table.put(base + FLAGS, (byte) (e.compressed() ? 1 : 0));
    }

    /** The slot holding id, or the empty slot where it would go. */
    private int find(BlobId id) {
        int mask = capacity - 1;
        int slot = (int) (id.a() ^ (id.a() >>> 32)) & mask;
        while (true) {
            int base = slot * SLOT;
            if (table.getInt(base + LENGTH) == 0) {
                return slot;
            }
            if (table.getLong(base) == id.a() && table.getLong(base + 8) == id.b()
                    && table.getLong(base + 16) == id.c() && table.getLong(base + 24) == id.d()) {
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
                BlobId id = new BlobId(old.getLong(base), old.getLong(base + 8), old.getLong(base + 16), old.getLong(base + 24));
                int slot = find(id);
                for (int i = 0; i < SLOT; i++) {
                    table.put(slot * SLOT + i, old.get(base + i));
                }
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
                table.getInt(base + RAW), (table.get(base + FLAGS) & 1) != 0);
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
