package dev.lifeboat.copy;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.BlobType;
import dev.lifeboat.repository.BlobWriter;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.PackEntry;
import dev.lifeboat.repository.RepositoryException;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.util.Workers;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Copies snapshots from one repository to a copy of it (same id key and chunker), moving only
 * the blobs the destination lacks. Blobs are verified as they are read from the source and
 * sealed anew with the destination's key; snapshots are written last, after their blobs are
 * stored and indexed, so an interrupted copy leaves no snapshot pointing at missing data.
 */
public final class Copier {
    public record Result(List<String> copied, int skipped, long blobsCopied, long bytesCopied, long bytesStored) {
    }

    private final Repository src;
    private final Repository dst;
    private final Set<BlobId> seenTrees = new HashSet<>();
    private final Set<BlobId> missing = new LinkedHashSet<>();
    private long blobs;
    private long bytes;
    private long stored;

    /** Both repositories must already be checked to be copies of each other (see {@link Copies}). */
    public Copier(Repository src, Repository dst) {
        this.src = src;
        this.dst = dst;
    }

    public Result run(List<SnapshotRef> selected) throws IOException {
        src.loadIndex();
        dst.loadIndex();
        Set<Copies.Key> have = new HashSet<>();
        for (SnapshotRef s : Snapshots.all(dst)) {
            have.add(Copies.Key.of(s.snapshot()));
        }
        List<SnapshotRef> todo = new ArrayList<>();
        int skipped = 0;
        for (SnapshotRef s : selected) {
            if (have.add(Copies.Key.of(s.snapshot()))) {
                todo.add(s);
            } else {
                skipped++;
            }
        }
        try (BlobWriter data = dst.newBlobWriter(); BlobWriter trees = dst.newBlobWriter()) {
            for (SnapshotRef s : todo) {
                copyTree(BlobId.parse(s.snapshot().tree()), data, trees);
            }
            copyData(data);
            data.flush();
            trees.flush();
        }
        dst.flushIndex();
        List<String> copied = new ArrayList<>();
        for (SnapshotRef s : todo) {
            BlobId id = Snapshots.save(dst, s.snapshot());
            copied.add(id.hex());
        }
        return new Result(copied, skipped, blobs, bytes, stored);
    }

    private void copyTree(BlobId treeId, BlobWriter data, BlobWriter trees) throws IOException {
        List<BlobId> todo = new ArrayList<>();
        todo.add(treeId);
        while (!todo.isEmpty()) {
            BlobId t = todo.remove(todo.size() - 1);
            if (!seenTrees.add(t)) {
                continue;
            }
            byte[] raw = src.loadVerifiedBlob(t);
            Tree tree = Tree.parse(raw, t);
            copyBlob(t, BlobType.TREE, raw, trees);
            for (Node n : tree.nodes()) {
                if (n.subtree() != null) {
                    todo.add(BlobId.parse(n.subtree()));
                }
                if (n.content() != null) {
                    for (String hex : n.content()) {
                        BlobId id = BlobId.parse(hex);
                        if (!dst.hasBlob(id)) {
                            missing.add(id);
                        }
                    }
                }
            }
        }
    }

    /**
     * Copies the missing data blobs pack by pack: one read of each source pack's needed span
     * instead of one request per blob, which is what object storage charges for in time. The next
     * span is read while this one's blobs are verified and sealed anew, and a blob keeps the
     * compressed form it was stored in: compressing everything again was most of a copy's CPU.
     */
    private void copyData(BlobWriter data) throws IOException {
        Map<BlobId, List<PackEntry>> byPack = new HashMap<>();
        for (BlobId id : missing) {
            PackEntry e = src.index().get(id);
            if (e == null) {
                throw new RepositoryException("blob " + id.shortHex() + " is missing from the source's index (run \"lifeboat check\" there)");
            }
            byPack.computeIfAbsent(e.pack(), k -> new ArrayList<>()).add(e);
        }
        List<List<PackEntry>> packs = new ArrayList<>(byPack.values());
        for (List<PackEntry> entries : packs) {
            entries.sort(Comparator.comparingLong(PackEntry::offset));
        }
        ExecutorService reader = Executors.newSingleThreadExecutor(dev.lifeboat.util.Workers.daemons("copy-read"));
        try {
            Future<byte[]> next = packs.isEmpty() ? null : reader.submit(() -> readSpan(packs.get(0), null));
            byte[] payload = new byte[0];
            byte[] plain = new byte[0];
            byte[] spare = null; // the span before this one, done with: the next read goes into it
            for (int i = 0; i < packs.size(); i++) {
                byte[] span = Workers.await(next);
                List<PackEntry> following = i + 1 < packs.size() ? packs.get(i + 1) : null;
                byte[] reuse = spare;
                next = following == null ? null : reader.submit(() -> readSpan(following, reuse));
                List<PackEntry> entries = packs.get(i);
                long start = entries.get(0).offset();
                for (PackEntry e : entries) {
                    if (payload.length < e.length()) {
                        payload = new byte[e.length()];
                    }
                    if (plain.length < e.rawLength()) {
                        plain = new byte[e.rawLength()];
                    }
                    int n = src.openStored(e, span, (int) (e.offset() - start), payload, plain);
                    count(e.rawLength(), data.storeStored(e.id(), BlobType.DATA, payload, n, e.rawLength(), e.compressed()));
                }
                spare = span;
            }
        } finally {
            reader.shutdownNow();
        }
        missing.clear();
    }

    private byte[] readSpan(List<PackEntry> entries, byte[] reuse) throws IOException {
        PackEntry first = entries.get(0);
        PackEntry last = entries.get(entries.size() - 1);
        return src.storage().load(Repository.packName(first.pack()), first.offset(),
                (int) (last.offset() + last.length() - first.offset()), reuse);
    }

    private void count(int rawLength, int stored) {
        if (stored > 0) {
            blobs++;
            bytes += rawLength;
            this.stored += stored;
        }
    }

    private void copyBlob(BlobId id, BlobType type, byte[] plain, BlobWriter writer) throws IOException {
        count(plain.length, writer.store(id, type, plain, 0, plain.length));
    }
}
