package dev.lifeboat.copy;

import dev.lifeboat.check.Checker;
import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.BlobType;
import dev.lifeboat.repository.BlobWriter;
import dev.lifeboat.repository.IndexFile;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.PackEntry;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.storage.ObjectInfo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a damaged repository whole again from a copy of it. The damage is found by a full
 * check (run on a separate open instance, given as {@code damage}); the repair itself works on
 * an instance whose index is empty, and fills it with the entries of intact packs only, so that
 * every blob that is lost or lies in a damaged pack is stored anew.
 *
 * <p>Order, as in prune: blobs are stored in new packs and indexed first; then a complete index
 * of the intact packs is written; then restored snapshots are saved; only then are the old index
 * files, damaged snapshot files and damaged packs deleted. Nothing is deleted when some blob a
 * snapshot needs could be found nowhere: the repository then keeps its damage on record for
 * check, while everything that could be recovered is stored.
 *
 * <p>Must run under an exclusive lock on the repository being repaired.
 */
public final class Repairer {
    public record Result(int packsDamaged, int packsDeleted, long blobsSalvaged, long blobsFromOther,
                         List<String> snapshotsRestored, int snapshotFilesDeleted, Set<BlobId> lost,
                         Map<String, List<String>> lostFiles) {
        public boolean complete() {
            return lost.isEmpty();
        }
    }

    private final Repository repo;
    private final Repository other;
    private final Set<BlobId> lost = new LinkedHashSet<>();
    private final Set<BlobId> seenTrees = new HashSet<>();
    private long salvaged;
    private long fromOther;

    /** repo: a freshly opened instance with no index loaded; other: a copy of it. */
    public Repairer(Repository repo, Repository other) {
        this.repo = repo;
        this.other = other;
    }

    public Result run(Checker.Result damage) throws IOException {
        other.loadIndex();
        List<ObjectInfo> oldIndexFiles = repo.list(Repository.INDEX);
        Map<BlobId, IndexFile.PackBlobs> packs = new LinkedHashMap<>();
        for (ObjectInfo info : oldIndexFiles) {
            List<IndexFile.PackBlobs> records;
            try {
                records = repo.readIndexFile(info.name());
            } catch (IOException e) {
                continue; // a damaged index file: its blobs are looked up in the other repository
            }
            for (IndexFile.PackBlobs p : records) {
                packs.putIfAbsent(p.pack(), p);
            }
        }
        Map<BlobId, Long> sizes = new HashMap<>();
        for (ObjectInfo o : repo.list(Repository.DATA)) {
            try {
                sizes.put(Repository.idOfName(o.name()), o.size());
            } catch (IllegalArgumentException ignored) {
                // not a pack; check reports it
            }
        }
        Set<BlobId> bad = new LinkedHashSet<>(damage.damagedPacks());
        for (IndexFile.PackBlobs p : packs.values()) {
            Long size = sizes.get(p.pack());
            if (size == null || size != p.size()) {
                bad.add(p.pack());
            }
        }
        for (IndexFile.PackBlobs p : packs.values()) {
            if (!bad.contains(p.pack())) {
                p.blobs().forEach(repo.index()::add);
            }
        }

        // Snapshots: the intact ones here, plus those of the other repository this one lacks when
        // some snapshot file here is damaged (its content cannot tell which one it was).
        List<String> damagedSnapshotFiles = new ArrayList<>();
        List<SnapshotRef> intact = new ArrayList<>();
        for (ObjectInfo info : repo.list(Repository.SNAPSHOTS)) {
            try {
                intact.add(Snapshots.load(repo, info.name()));
            } catch (IOException e) {
                damagedSnapshotFiles.add(info.name());
            }
        }
        List<SnapshotRef> restore = new ArrayList<>();
        if (!damagedSnapshotFiles.isEmpty()) {
            Set<Copies.Key> have = new HashSet<>();
            intact.forEach(s -> have.add(Copies.Key.of(s.snapshot())));
            for (SnapshotRef s : Snapshots.all(other)) {
                if (have.add(Copies.Key.of(s.snapshot()))) {
                    restore.add(s);
                }
            }
        }

        Map<String, List<String>> lostFiles = new LinkedHashMap<>();
        try (BlobWriter data = repo.newBlobWriter(); BlobWriter trees = repo.newBlobWriter()) {
            // first the intact blobs of damaged packs, so those packs are no longer needed
            for (BlobId p : bad) {
                IndexFile.PackBlobs record = packs.get(p);
                if (record != null) {
                    salvage(record, sizes.containsKey(p), data, trees);
                }
            }
            data.flush();
            trees.flush();
            // then every blob a snapshot needs that is still missing
            List<SnapshotRef> all = new ArrayList<>(intact);
            all.addAll(restore);
            for (SnapshotRef s : all) {
                List<String> files = new ArrayList<>();
                walk(BlobId.parse(s.snapshot().tree()), "", data, trees, files);
                if (!files.isEmpty()) {
                    lostFiles.put(s.id().hex(), files);
                }
            }
            data.flush();
            trees.flush();
        }
        repo.flushIndex();

        List<String> restored = new ArrayList<>();
        int packsDeleted = 0;
        int snapshotFilesDeleted = 0;
        if (lost.isEmpty()) {
            List<IndexFile.PackBlobs> keep = new ArrayList<>();
            for (IndexFile.PackBlobs p : packs.values()) {
                if (!bad.contains(p.pack())) {
                    keep.add(p);
                }
            }
            repo.saveIndex(keep);
        }
        for (SnapshotRef s : restore) {
            if (!lostFiles.containsKey(s.id().hex())) { // never write a snapshot that points at missing data
                restored.add(Snapshots.save(repo, s.snapshot()).hex());
            }
        }
        if (lost.isEmpty()) {
            for (ObjectInfo old : oldIndexFiles) {
                repo.storage().delete(old.name());
            }
            for (String name : damagedSnapshotFiles) {
                repo.storage().delete(name);
                snapshotFilesDeleted++;
            }
            for (BlobId p : bad) {
                if (sizes.containsKey(p)) {
                    repo.storage().delete(Repository.packName(p));
                    packsDeleted++;
                }
            }
        }
        return new Result(bad.size(), packsDeleted, salvaged, fromOther, restored, snapshotFilesDeleted,
                Set.copyOf(lost), lostFiles);
    }

    /** Re-stores the blobs of a damaged pack: from the pack where they still verify, else from the other repository. */
    private void salvage(IndexFile.PackBlobs record, boolean exists, BlobWriter data, BlobWriter trees) throws IOException {
        byte[] pack = null;
        if (exists) {
            try {
                pack = repo.storage().load(Repository.packName(record.pack()));
            } catch (IOException e) {
                pack = null;
            }
        }
        for (PackEntry e : record.blobs()) {
            if (repo.hasBlob(e.id())) {
                continue;
            }
            BlobWriter w = e.type() == BlobType.TREE ? trees : data;
            if (pack != null && e.offset() + e.length() <= pack.length) {
                try {
                    byte[] plain = repo.verifyBlob(e, pack, (int) e.offset());
                    w.store(e.id(), e.type(), plain, 0, plain.length);
                    salvaged++;
                    continue;
                } catch (IOException damaged) {
                    // fall through to the other repository
                }
            }
            fetchFromOther(e.id(), e.type(), w);
        }
    }

    private boolean fetchFromOther(BlobId id, BlobType type, BlobWriter w) throws IOException {
        if (!other.index().contains(id)) {
            return false;
        }
        byte[] plain;
        try {
            plain = other.loadVerifiedBlob(id);
        } catch (IOException e) {
            return false; // damaged there too
        }
        w.store(id, type, plain, 0, plain.length);
        fromOther++;
        return true;
    }

    /** Makes sure every blob under a tree is stored; records the files whose data is found nowhere. */
    private void walk(BlobId treeId, String prefix, BlobWriter data, BlobWriter trees, List<String> lostPaths)
            throws IOException {
        if (!seenTrees.add(treeId)) {
            return;
        }
        Tree tree = null;
        if (repo.index().contains(treeId)) { // intact packs and salvaged blobs are indexed by now
            try {
                tree = Tree.parse(repo.loadBlob(treeId), treeId);
            } catch (IOException e) {
                tree = null;
            }
        }
        if (tree == null) {
            if (other.index().contains(treeId)) {
                try {
                    byte[] raw = other.loadVerifiedBlob(treeId);
                    tree = Tree.parse(raw, treeId);
                    if (!repo.hasBlob(treeId)) {
                        trees.store(treeId, BlobType.TREE, raw, 0, raw.length);
                        fromOther++;
                    }
                } catch (IOException e) {
                    tree = null;
                }
            }
        }
        if (tree == null) {
            lost.add(treeId);
            lostPaths.add((prefix.isEmpty() ? "/" : prefix) + " (whole directory: its listing is lost)");
            return;
        }
        for (Node n : tree.nodes()) {
            String path = prefix + "/" + n.name();
            if (n.isDir() && n.subtree() != null) {
                walk(BlobId.parse(n.subtree()), path, data, trees, lostPaths);
            } else if (n.content() != null) {
                boolean fileLost = false;
                for (String hex : n.content()) {
                    BlobId id = BlobId.parse(hex);
                    if (!repo.hasBlob(id) && !fetchFromOther(id, BlobType.DATA, data)) {
                        lost.add(id);
                        fileLost = true;
                    }
                }
                if (fileLost) {
                    lostPaths.add(path);
                }
            }
        }
    }

}
