package dev.lifeboat.check;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.IndexFile;
import dev.lifeboat.repository.KeyFile;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.PackEntry;
import dev.lifeboat.repository.PackReader;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.storage.ObjectInfo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Verifies a repository: every key, index and snapshot file against its name, every indexed pack
 * present and large enough, every tree readable and every referenced blob indexed; with
 * readData, every byte of (a subset of) the packs is read, authenticated and matched against
 * its id and the index. Damage is traced to the snapshots and files it affects.
 */
public final class Checker {
    /** Check every pack (1.0), a random share of them, or none (0). */
    public record Options(double readDataFraction, int threads) {
    }

    public record Problem(String object, String message) {
        @Override
        public String toString() {
            return message;
        }
    }

    public record Affected(String snapshot, List<String> files) {
    }

    public record Result(List<Problem> errors, List<String> notes, Set<BlobId> damagedBlobs, Set<BlobId> damagedPacks,
                         List<Affected> affected, int snapshots, int packsRead, long bytesRead) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private final Repository repo;
    private final Options opts;
    private final List<Problem> errors = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notes = new ArrayList<>();
    private final Set<BlobId> badBlobs = ConcurrentHashMap.newKeySet();
    private final Set<BlobId> badPacks = ConcurrentHashMap.newKeySet();
    /** Per-pack facts from the index; blob locations themselves live in the off-heap index. */
    private record PackInfo(long size, int blobs) {
    }

    private record Location(BlobId blob, BlobId pack) {
    }

    private final Map<BlobId, PackInfo> packs = new HashMap<>();
    /** Second and later locations of blobs stored more than once (rare: interrupted or concurrent backups). */
    private final Map<BlobId, List<PackEntry>> duplicates = new HashMap<>();
    private final Set<BlobId> lostPacks = ConcurrentHashMap.newKeySet();
    private final Set<Location> damagedLocations = ConcurrentHashMap.newKeySet();

    public Checker(Repository repo, Options opts) {
        this.repo = repo;
        this.opts = opts;
    }

    private void error(String object, String message) {
        errors.add(new Problem(object, message));
    }

    public Result run() throws IOException {
        checkKeys();
        loadIndexes();
        Map<BlobId, Long> packSizes = checkPacksExist();
        List<SnapshotRef> snaps = loadSnapshots();
        long[] read = readData(packSizes);
        resolveDamage();
        List<Affected> affected = traceSnapshots(snaps);
        return new Result(List.copyOf(errors), List.copyOf(notes), Set.copyOf(badBlobs), Set.copyOf(badPacks),
                affected, snaps.size(), (int) read[0], read[1]);
    }

    private void checkKeys() throws IOException {
        for (ObjectInfo k : repo.list(Repository.KEYS)) {
            try {
                byte[] bytes = repo.storage().load(k.name());
                if (!Repository.sha256Hex(bytes).equals(k.name().substring(Repository.KEYS.length()))) {
                    error(k.name(), "key file " + k.name() + " does not match its name (corrupt)");
                    continue;
                }
                KeyFile.parse(bytes, k.name());
            } catch (IOException e) {
                error(k.name(), "key file " + k.name() + ": " + e.getMessage());
            }
        }
    }

    private void loadIndexes() throws IOException {
        for (ObjectInfo info : repo.list(Repository.INDEX)) {
            List<IndexFile.PackBlobs> records;
            try {
                records = repo.readIndexFile(info.name());
            } catch (IOException e) {
                error(info.name(), "index file " + e.getMessage());
                continue;
            }
            for (IndexFile.PackBlobs p : records) {
                PackInfo known = packs.get(p.pack());
                if (known != null) {
                    // packs are immutable, so two records of one pack must agree
                    if (known.size() != p.size() || known.blobs() != p.blobs().size()) {
                        error(info.name(), "index files disagree about pack " + Repository.packName(p.pack()));
                    }
                    continue;
                }
                packs.put(p.pack(), new PackInfo(p.size(), p.blobs().size()));
                for (PackEntry e : p.blobs()) {
                    if (!repo.index().add(e)) {
                        duplicates.computeIfAbsent(e.id(), k -> new ArrayList<>(1)).add(e);
                    }
                }
            }
        }
    }

    private Map<BlobId, Long> checkPacksExist() throws IOException {
        Map<BlobId, Long> sizes = new HashMap<>();
        int unreferenced = 0;
        for (ObjectInfo o : repo.list(Repository.DATA)) {
            BlobId id;
            try {
                id = Repository.idOfName(o.name());
            } catch (IllegalArgumentException e) {
                error(o.name(), "unexpected file " + o.name() + " in data/");
                continue;
            }
            sizes.put(id, o.size());
            if (!packs.containsKey(id)) {
                unreferenced++;
            }
        }
        if (unreferenced > 0) {
            notes.add(unreferenced + " pack(s) are not in any index (left by an interrupted backup or a damaged index; \"prune\" removes unused ones)");
        }
        for (Map.Entry<BlobId, PackInfo> p : packs.entrySet()) {
            Long size = sizes.get(p.getKey());
            String name = Repository.packName(p.getKey());
            long expected = p.getValue().size();
            if (size == null) {
                error(name, "pack " + name + " is missing");
                lostPacks.add(p.getKey());
            } else if (size != expected) {
                error(name, "pack " + name + " has " + size + " bytes, the index says " + expected
                        + (size < expected ? " (truncated)" : " (data appended)"));
                badPacks.add(p.getKey());
                if (size < expected) {
                    lostPacks.add(p.getKey());
                }
            }
        }
        return sizes;
    }

    private List<SnapshotRef> loadSnapshots() throws IOException {
        List<SnapshotRef> out = new ArrayList<>();
        for (ObjectInfo info : repo.list(Repository.SNAPSHOTS)) {
            try {
                out.add(Snapshots.load(repo, info.name()));
            } catch (IOException e) {
                error(info.name(), "snapshot " + e.getMessage());
            }
        }
        return out;
    }

    private long[] readData(Map<BlobId, Long> packSizes) throws IOException {
        if (opts.readDataFraction() <= 0) {
            return new long[]{0, 0};
        }
        List<BlobId> toRead = new ArrayList<>(packs.keySet());
        toRead.removeIf(p -> !packSizes.containsKey(p) || lostPacks.contains(p));
        Collections.sort(toRead);
        if (opts.readDataFraction() < 1) {
            Collections.shuffle(toRead, new Random());
            toRead = toRead.subList(0, (int) Math.ceil(toRead.size() * opts.readDataFraction()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, opts.threads()));
        long bytes = 0;
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (BlobId p : toRead) {
                bytes += packSizes.get(p);
                fs.add(pool.submit(() -> {
                    checkPack(p);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("check interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new long[]{toRead.size(), bytes};
    }

    private void checkPack(BlobId pack) {
        String name = Repository.packName(pack);
        byte[] data;
        try {
            data = repo.storage().load(name);
        } catch (IOException e) {
            error(name, "pack " + name + " cannot be read: " + e.getMessage());
            badPacks.add(pack);
            lostPacks.add(pack);
            return;
        }
        if (!Repository.sha256Hex(data).equals(pack.hex())) {
            error(name, "pack " + name + " does not match its name (content changed)");
            badPacks.add(pack);
        }
        List<PackEntry> expected;
        try {
            List<PackEntry> header = PackReader.header(data, pack, repo.aead());
            expected = new ArrayList<>();
            for (PackEntry h : header) {
                if (indexedAt(h.id(), pack) != null) {
                    expected.add(indexedAt(h.id(), pack));
                }
            }
            if (expected.size() != packs.get(pack).blobs() || !header.containsAll(expected)) {
                error(name, "pack " + name + " header does not agree with the index");
                badPacks.add(pack);
                expected = entriesOf(pack);
            }
        } catch (IOException e) {
            error(name, "pack " + e.getMessage());
            badPacks.add(pack);
            expected = entriesOf(pack);
        }
        for (PackEntry e : expected) {
            try {
                if (e.offset() + e.length() > data.length) {
                    throw new IOException("blob " + e.id().shortHex() + " lies beyond the end of pack " + name);
                }
                repo.verifyBlob(e, data, (int) e.offset());
            } catch (IOException x) {
                error(name, x.getMessage());
                badPacks.add(pack);
                damagedLocations.add(new Location(e.id(), pack));
            }
        }
    }

    /** The index's entry for blob in pack, looking past the primary location to duplicates. */
    private PackEntry indexedAt(BlobId blob, BlobId pack) {
        PackEntry primary = repo.index().get(blob);
        if (primary != null && primary.pack().equals(pack)) {
            return primary;
        }
        for (PackEntry d : duplicates.getOrDefault(blob, List.of())) {
            if (d.pack().equals(pack)) {
                return d;
            }
        }
        return null;
    }

    /** All index entries of one pack: a scan, used only for packs whose own header cannot be trusted. */
    private List<PackEntry> entriesOf(BlobId pack) {
        List<PackEntry> out = new ArrayList<>();
        repo.index().forEach(e -> {
            if (e.pack().equals(pack)) {
                out.add(e);
            }
        });
        for (List<PackEntry> list : duplicates.values()) {
            for (PackEntry d : list) {
                if (d.pack().equals(pack)) {
                    out.add(d);
                }
            }
        }
        out.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        return out;
    }

    /** A blob is lost when every stored copy of it is in a lost pack or individually damaged. */
    private void resolveDamage() {
        if (lostPacks.isEmpty() && damagedLocations.isEmpty()) {
            return;
        }
        repo.index().forEach(e -> {
            if (!intact(e)) {
                boolean anyIntact = false;
                for (PackEntry d : duplicates.getOrDefault(e.id(), List.of())) {
                    anyIntact |= intact(d);
                }
                if (!anyIntact) {
                    badBlobs.add(e.id());
                }
            }
        });
    }

    private boolean intact(PackEntry e) {
        return !lostPacks.contains(e.pack()) && !damagedLocations.contains(new Location(e.id(), e.pack()));
    }

    /** Walks every snapshot's trees once per distinct tree, naming files whose data is damaged. */
    private List<Affected> traceSnapshots(List<SnapshotRef> snaps) {
        Map<BlobId, List<String>> memo = new HashMap<>();
        List<Affected> out = new ArrayList<>();
        for (SnapshotRef s : snaps) {
            List<String> bad = badPaths(BlobId.parse(s.snapshot().tree()), "", memo, s);
            if (!bad.isEmpty()) {
                out.add(new Affected(s.id().hex(), bad));
            }
        }
        return out;
    }

    private List<String> badPaths(BlobId treeId, String prefix, Map<BlobId, List<String>> memo, SnapshotRef snap) {
        List<String> cached = memo.get(treeId);
        if (cached != null) {
            return cached.stream().map(p -> prefix + p).toList();
        }
        List<String> relative = new ArrayList<>();
        Tree tree = null;
        String unreadable = null;
        if (!repo.index().contains(treeId)) {
            unreadable = "is missing from the index";
        } else if (badBlobs.contains(treeId)) {
            unreadable = "is damaged";
        } else {
            try {
                tree = Tree.parse(repo.loadVerifiedBlob(treeId), treeId);
            } catch (IOException e) {
                unreadable = "cannot be read: " + e.getMessage();
                badBlobs.add(treeId);
            }
        }
        if (tree == null) {
            error("tree " + treeId.shortHex(), "tree " + treeId.shortHex() + " (" + (prefix.isEmpty() ? "/" : prefix)
                    + " in snapshot " + snap.shortId() + ") " + unreadable);
            relative.add("/ (whole directory: its listing is lost)");
        } else {
            for (Node n : tree.nodes()) {
                String rel = "/" + n.name();
                if (n.isDir() && n.subtree() != null) {
                    relative.addAll(badPaths(BlobId.parse(n.subtree()), rel, memo, snap));
                } else if (n.isFile() && n.content() != null) {
                    for (String hex : n.content()) {
                        BlobId id = BlobId.parse(hex);
                        if (badBlobs.contains(id) || !repo.index().contains(id)) {
                            if (!repo.index().contains(id) && !badBlobs.contains(id)) {
                                badBlobs.add(id);
                                error("blob " + id.shortHex(), "data blob " + id.shortHex() + " of " + rel
                                        + " is not in any index");
                            }
                            relative.add(rel);
                            break;
                        }
                    }
                }
            }
        }
        memo.put(treeId, relative);
        return relative.stream().map(p -> prefix + p).toList();
    }

}
