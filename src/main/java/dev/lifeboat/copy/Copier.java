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

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
            byte[] raw = src.loadBlob(t);
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
     * instead of one request per blob, which is what object storage charges for in time.
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
        for (Map.Entry<BlobId, List<PackEntry>> pack : byPack.entrySet()) {
            List<PackEntry> entries = pack.getValue();
            entries.sort(Comparator.comparingLong(PackEntry::offset));
            long start = entries.get(0).offset();
            PackEntry last = entries.get(entries.size() - 1);
            byte[] span = src.storage().load(Repository.packName(pack.getKey()), start, (int) (last.offset() + last.length() - start));
            for (PackEntry e : entries) {
                copyBlob(e.id(), BlobType.DATA, src.openBlob(e, span, (int) (e.offset() - start)), data);
            }
        }
        missing.clear();
    }

    private void copyBlob(BlobId id, BlobType type, byte[] plain, BlobWriter writer) throws IOException {
        int n = writer.store(id, type, plain, 0, plain.length);
        if (n > 0) {
            blobs++;
            bytes += plain.length;
            stored += n;
        }
    }
}
