package dev.lifeboat.prune;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.BlobWriter;
import dev.lifeboat.repository.IndexFile;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.PackEntry;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryException;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.repository.Trees;
import dev.lifeboat.storage.ObjectInfo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes data no snapshot needs. Order is what makes it crash-safe: repacked blobs are stored
 * and indexed first, then a complete new index is written, then old index files are deleted, and
 * only then packs; at every point each index entry points at a pack that exists.
 * Must run under an exclusive lock: packs not yet indexed would otherwise look unused.
 */
public final class Pruner {
    public record Options(boolean dryRun, double repackThreshold) {
    }

    public record Result(int snapshots, long usedBlobs, int packsKept, int packsDeleted, int packsRepacked,
                         long bytesFreed, long bytesRepacked, boolean dryRun) {
    }

    private final Repository repo;
    private final Options opts;

    public Pruner(Repository repo, Options opts) {
        this.repo = repo;
        this.opts = opts;
    }

    public Result run() throws IOException {
        List<ObjectInfo> oldIndexFiles = repo.list(Repository.INDEX);
        Map<BlobId, List<PackEntry>> packs = new HashMap<>();
        for (ObjectInfo info : oldIndexFiles) {
            for (IndexFile.PackBlobs p : repo.readIndexFile(info.name())) {
                if (packs.putIfAbsent(p.pack(), p.blobs()) == null) { // packs are immutable: one record suffices
                    p.blobs().forEach(repo.index()::add);
                }
            }
        }
        Map<BlobId, Long> packSizes = new HashMap<>();
        for (ObjectInfo o : repo.list(Repository.DATA)) {
            packSizes.put(Repository.idOfName(o.name()), o.size());
        }
        for (BlobId p : packs.keySet()) {
            if (!packSizes.containsKey(p)) {
                throw new RepositoryException("pack " + Repository.packName(p) + " is indexed but missing; "
                        + "run \"lifeboat check\" and repair before pruning");
            }
        }
        List<SnapshotRef> snaps = Snapshots.all(repo);
        Set<BlobId> used = usedBlobs(snaps);

        // Keep exactly one copy of each used blob: the first seen in a pack that is kept whole.
        Set<BlobId> placed = new HashSet<>();
        List<BlobId> keep = new ArrayList<>();
        List<BlobId> delete = new ArrayList<>();
        List<BlobId> repack = new ArrayList<>();
        Map<BlobId, List<PackEntry>> carry = new HashMap<>();
        long freed = 0;
        long repackBytes = 0;
        for (Map.Entry<BlobId, List<PackEntry>> p : packs.entrySet()) {
            long usedBytes = 0;
            long total = 0;
            for (PackEntry e : p.getValue()) {
                total += e.length();
                if (used.contains(e.id()) && !placed.contains(e.id())) {
                    usedBytes += e.length();
                }
            }
            if (usedBytes == 0) {
                delete.add(p.getKey());
                freed += packSizes.get(p.getKey());
            } else if (total - usedBytes >= opts.repackThreshold() * total) {
                repack.add(p.getKey());
                repackBytes += usedBytes;
                freed += packSizes.get(p.getKey()) - usedBytes;
                List<PackEntry> mine = new ArrayList<>();
                for (PackEntry e : p.getValue()) {
                    if (used.contains(e.id()) && placed.add(e.id())) {
                        mine.add(e);
                    }
                }
                carry.put(p.getKey(), mine);
            } else {
                keep.add(p.getKey());
                markPlaced(p.getValue(), used, placed);
            }
        }
        List<BlobId> unindexed = new ArrayList<>();
        for (Map.Entry<BlobId, Long> p : packSizes.entrySet()) {
            if (!packs.containsKey(p.getKey())) {
                unindexed.add(p.getKey());
                freed += p.getValue();
            }
        }
        for (BlobId b : used) {
            if (!placed.contains(b)) {
                throw new RepositoryException("blob " + b.shortHex() + " used by a snapshot is in no pack; "
                        + "run \"lifeboat check\" and repair before pruning");
            }
        }
        Result result = new Result(snaps.size(), used.size(), keep.size(), delete.size() + unindexed.size(),
                repack.size(), freed, repackBytes, opts.dryRun());
        if (opts.dryRun() || (delete.isEmpty() && repack.isEmpty() && unindexed.isEmpty())) {
            return result;
        }

        List<IndexFile.PackBlobs> newIndex = new ArrayList<>();
        for (BlobId p : keep) {
            newIndex.add(new IndexFile.PackBlobs(p, packSizes.get(p), packs.get(p)));
        }
        repackInto(repack, carry);
        newIndex.addAll(repo.takePendingIndex());
        repo.saveIndex(newIndex);
        for (ObjectInfo old : oldIndexFiles) {
            repo.storage().delete(old.name());
        }
        for (BlobId p : delete) {
            repo.storage().delete(Repository.packName(p));
        }
        for (BlobId p : repack) {
            repo.storage().delete(Repository.packName(p));
        }
        for (BlobId p : unindexed) {
            repo.storage().delete(Repository.packName(p));
        }
        for (ObjectInfo t : repo.list("tmp/")) {
            repo.storage().delete(t.name());
        }
        return result;
    }

    private static void markPlaced(List<PackEntry> entries, Set<BlobId> used, Set<BlobId> placed) {
        for (PackEntry e : entries) {
            if (used.contains(e.id())) {
                placed.add(e.id());
            }
        }
    }

    private void repackInto(List<BlobId> repack, Map<BlobId, List<PackEntry>> carry) throws IOException {
        try (BlobWriter writer = repo.newBlobWriter()) {
            for (BlobId p : repack) {
                byte[] data = repo.storage().load(Repository.packName(p));
                for (PackEntry e : carry.get(p)) {
                    repo.verifyBlob(e, data, (int) e.offset()); // never carry damaged data forward
                    writer.storeSealed(e, data, (int) e.offset());
                }
            }
            writer.flush();
        }
    }

    /** Every blob reachable from a snapshot; fails rather than guess if any tree cannot be read. */
    private Set<BlobId> usedBlobs(List<SnapshotRef> snaps) throws IOException {
        Set<BlobId> used = new HashSet<>();
        Set<BlobId> trees = new HashSet<>();
        List<BlobId> todo = new ArrayList<>();
        for (SnapshotRef s : snaps) {
            todo.add(BlobId.parse(s.snapshot().tree()));
        }
        while (!todo.isEmpty()) {
            BlobId t = todo.remove(todo.size() - 1);
            if (!trees.add(t)) {
                continue;
            }
            used.add(t);
            Tree tree;
            try {
                tree = Trees.load(repo, t);
            } catch (IOException e) {
                throw new RepositoryException("cannot read tree " + t.shortHex() + " (" + e.getMessage()
                        + "); refusing to prune a damaged repository: run \"lifeboat check\"");
            }
            for (Node n : tree.nodes()) {
                if (n.subtree() != null) {
                    todo.add(BlobId.parse(n.subtree()));
                }
                if (n.content() != null) {
                    for (String hex : n.content()) {
                        used.add(BlobId.parse(hex));
                    }
                }
            }
        }
        return used;
    }
}
