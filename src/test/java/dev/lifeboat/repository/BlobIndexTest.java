package dev.lifeboat.repository;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlobIndexTest {
    static BlobId randomId(Random r) {
        return new BlobId(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong());
    }

    @Test
    void holdsManyEntriesThroughGrowthAndRejectsDuplicates() {
        Random r = new Random(1);
        BlobIndex index = new BlobIndex();
        List<BlobId> packs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            packs.add(randomId(r));
        }
        Map<BlobId, PackEntry> expected = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            BlobId id = randomId(r);
            PackEntry e = new PackEntry(id, i % 7 == 0 ? BlobType.TREE : BlobType.DATA, packs.get(r.nextInt(50)),
                    Integer.toUnsignedLong(r.nextInt()) , 28 + r.nextInt(1 << 20), r.nextInt(1 << 20), r.nextInt(4));
            expected.put(id, e);
            assertTrue(index.add(e));
        }
        assertEquals(200_000, index.size());
        for (Map.Entry<BlobId, PackEntry> e : expected.entrySet()) {
            assertEquals(e.getValue(), index.get(e.getKey()));
        }
        PackEntry any = expected.values().iterator().next();
        assertFalse(index.add(any), "a known blob is not added twice");
        assertNull(index.get(randomId(new Random(99))));
        int[] seen = new int[1];
        index.forEach(e -> seen[0]++);
        assertEquals(200_000, seen[0]);
        assertEquals(50, index.packCount());
    }

    @Test
    void indexFileRoundTripsAndRejectsGarbage() throws Exception {
        Random r = new Random(2);
        BlobId pack = randomId(r);
        List<PackEntry> blobs = List.of(new PackEntry(randomId(r), BlobType.DATA, pack, 0, 100, 80, PackEntry.COMPRESSED | PackEntry.ID_BOUND),
                new PackEntry(randomId(r), BlobType.TREE, pack, 100, 50, 400, 0));
        byte[] bytes = IndexFile.encode(List.of(new IndexFile.PackBlobs(pack, 200, blobs)));
        List<IndexFile.PackBlobs> back = IndexFile.decode(bytes, "index/x");
        assertEquals(1, back.size());
        assertEquals(200, back.get(0).size());
        assertEquals(blobs, back.get(0).blobs());
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        org.junit.jupiter.api.Assertions.assertThrows(CorruptObjectException.class, () -> IndexFile.decode(cut, "index/x"));
    }

    @Test
    void indexFileLoadsStraightIntoTheIndexAsEntryByEntry() throws Exception {
        Random r = new Random(3);
        List<IndexFile.PackBlobs> packs = new ArrayList<>();
        BlobIndex oneByOne = new BlobIndex();
        for (int p = 0; p < 40; p++) {
            BlobId pack = randomId(r);
            List<PackEntry> blobs = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                PackEntry e = new PackEntry(randomId(r), i % 5 == 0 ? BlobType.TREE : BlobType.DATA, pack,
                        Integer.toUnsignedLong(r.nextInt()), 28 + r.nextInt(1 << 20), r.nextInt(1 << 20), r.nextInt(4));
                blobs.add(e);
                oneByOne.add(e);
            }
            packs.add(new IndexFile.PackBlobs(pack, 1L << 33, blobs));
        }
        byte[] bytes = IndexFile.encode(packs);
        BlobIndex bulk = new BlobIndex();
        bulk.add(packs.get(3).blobs().get(7)); // already known: kept once
        IndexFile.addTo(bulk, bytes, "index/x");
        assertEquals(40_000, bulk.size());
        assertEquals(40, bulk.packCount());
        oneByOne.forEach(e -> assertEquals(e, bulk.get(e.id())));

        BlobIndex untouched = new BlobIndex();
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        org.junit.jupiter.api.Assertions.assertThrows(CorruptObjectException.class, () -> IndexFile.addTo(untouched, cut, "index/x"));
        byte[] badType = bytes.clone();
        badType[badType.length - 46] = 9; // the last record's type
        org.junit.jupiter.api.Assertions.assertThrows(CorruptObjectException.class, () -> IndexFile.addTo(untouched, badType, "index/x"));
        byte[] badMagic = bytes.clone();
        badMagic[0] ^= 1;
        org.junit.jupiter.api.Assertions.assertThrows(CorruptObjectException.class, () -> IndexFile.addTo(untouched, badMagic, "index/x"));
        assertEquals(0, untouched.size(), "a malformed index file adds nothing");
    }

    @Test
    void aWriterGathersPacksAsEncodeWritesThemAndStartsOverWhenCleared() throws Exception {
        Random r = new Random(4);
        List<IndexFile.PackBlobs> packs = new ArrayList<>();
        IndexFile.Writer w = new IndexFile.Writer();
        assertTrue(w.isEmpty());
        for (int p = 0; p < 3; p++) {
            BlobId pack = randomId(r);
            List<PackEntry> blobs = new ArrayList<>();
            for (int i = 0; i < 500; i++) { // more than the writer's first buffer holds
                blobs.add(new PackEntry(randomId(r), BlobType.DATA, pack, i * 100L, 100, 90, i % 4));
            }
            packs.add(new IndexFile.PackBlobs(pack, 50_000 + p, blobs));
            w.add(pack, 50_000 + p, blobs);
        }
        assertEquals(3, w.packs());
        assertEquals(1_500, w.blobs());
        assertArrayEquals(IndexFile.encode(packs), w.bytes());
        assertEquals(packs, IndexFile.decode(w.bytes(), "index/x"));
        w.clear();
        assertTrue(w.isEmpty());
        assertEquals(0, w.blobs());
        w.add(packs.get(1).pack(), packs.get(1).size(), packs.get(1).blobs());
        assertArrayEquals(IndexFile.encode(List.of(packs.get(1))), w.bytes());
    }
}
