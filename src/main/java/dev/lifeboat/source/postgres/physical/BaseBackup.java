package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.Hosts;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.repository.Trees;
import dev.lifeboat.source.postgres.PgConn;
import dev.lifeboat.source.postgres.PgException;
import dev.lifeboat.source.postgres.cluster.PgBinaries;
import dev.lifeboat.util.Version;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A physical base backup of a whole cluster: pg_basebackup's tar stream (with the WAL needed to
 * make it consistent) is read as it arrives and every file is stored in fixed, page-aligned blocks,
 * so the next base backup stores only the blocks that changed. Hashing, compressing and
 * encrypting run on worker threads while this thread reads the stream.
 */
public final class BaseBackup {
    /**
     * Thirty-two PostgreSQL pages. Each block is compressed alone, so a block needs enough context,
     * and each costs about 150 bytes (nonce, tag, pack and index entries, the id in the tree): 64 KiB
     * blocks left backups 2-6% larger than pgBackRest's whole-file zstd, and 128 KiB blocks still left
     * the incremental after 60 s of pgbench 5.6 MiB larger than pgBackRest's changed files whole (2.4
     * MiB less with 256 KiB: bench/RESULTS.md, session 8). The price is paid by sparse changes: one
     * changed page stores 256 KiB (compressed), still far less than the whole 1 GiB file a file-level
     * incremental stores. Recorded in every base backup (blockSize), so backups made with other sizes
     * stay readable and delta-restorable; an incremental takes unchanged files only from a parent of
     * its own block size, so the first base backup after a change of size stores everything again.
     */
    public static final int BLOCK = 256 * 1024;

    public enum Method { AUTO, DIRECT, STREAM }

    public record Options(PgConn conn, List<String> tags, String host, Optional<Path> pgBin, int compressionLevel,
                          int threads, Method method) {
    }

    public record Result(BlobId id, Snapshot snapshot, BaseInfo info, String method, int filesReused) {
    }

    private final Repository repo;
    private final Options opts;
    private final Consumer<String> progress;

    public BaseBackup(Repository repo, Options opts, Consumer<String> progress) {
        this.repo = repo;
        this.opts = opts;
        this.progress = progress;
    }

    /**
     * The part of a base backup that needs no repository: probing the server and, for a direct
     * backup, pg_backup_start with its checkpoint. Run it while the passphrase is stretched;
     * closing it aborts a backup that was not used.
     */
    public static final class Begun implements AutoCloseable {
        private final ServerFacts facts;
        private final DirectCapture direct;
        private final Instant start;
        private final String label;

        private Begun(ServerFacts facts, DirectCapture direct, Instant start, String label) {
            this.facts = facts;
            this.direct = direct;
            this.start = start;
            this.label = label;
        }

        @Override
        public void close() {
            if (direct != null) {
                direct.close();
            }
        }
    }

    public static Begun begin(Options opts) {
        Instant start = Instant.now();
        ServerFacts facts = ServerFacts.probe(opts.conn());
        facts.requireReplicaWal(opts.conn());
        Path dataDir = opts.method() == Method.STREAM ? null : DirectCapture.localDataDir(opts.conn(), facts);
        if (opts.method() == Method.DIRECT && dataDir == null) {
            throw new PgException("--method direct needs the server's data directory on this machine and readable "
                    + "by this user; use --method stream to back up over the replication protocol");
        }
        String label = "lifeboat base backup " + start;
        DirectCapture direct = null;
        if (dataDir != null) {
            direct = new DirectCapture(opts.conn(), facts, dataDir);
            direct.begin(label);
        }
        return new Begun(facts, direct, start, label);
    }

    public Result run() throws IOException {
        try (Begun b = begin(opts)) {
            return run(b);
        }
    }

    public Result run(Begun begun) throws IOException {
        Instant start = begun.start;
        ServerFacts facts = begun.facts;
        repo.loadIndex();
        Capture cap;
        try (BlockStore store = new BlockStore(repo, opts.threads(), opts.compressionLevel())) {
            if (begun.direct != null) {
                BaseInfo.Base parent = parent(facts);
                Map<String, Node> previous = parent == null ? Map.of() : files(parent);
                progress(begun.direct.dataDir() + " read directly" + (parent == null ? "" : ", unchanged files taken from "
                        + parent.ref().shortId()));
                cap = begun.direct.run(store, previous, parent == null ? Instant.EPOCH : parent.info().startTime());
            } else {
                progress("streaming from " + opts.conn().host() + ":" + opts.conn().port() + " with pg_basebackup");
                Path tool = PgBinaries.forMajor(facts.major(), opts.pgBin()).tool("pg_basebackup");
                cap = TarCapture.run(opts.conn(), tool, begun.label, store);
            }
            Map<String, Node> nodes = new LinkedHashMap<>();
            long added = 0;
            long blobs = 0;
            int files = 0;
            for (Capture.Entry e : cap.entries()) {
                List<String> ids = null;
                long size = e.size();
                if (Node.FILE.equals(e.type())) {
                    files++;
                    ids = new ArrayList<>();
                    if (e.reused() != null) {
                        ids.addAll(e.reused());
                    } else {
                        size = 0; // what was read: a file may shrink while it is read
                        for (var f : e.parts()) {
                            BlockStore.Stored st = store.get(f);
                            size += st.bytes();
                            ids.addAll(st.ids());
                            added += st.added();
                            blobs += st.blobs();
                        }
                    }
                }
                nodes.put(e.path(), new Node(baseName(e.path()), e.type(), e.mode(), e.mtimeNanos(), e.mtimeNanos(),
                        e.uid(), e.gid(), e.user(), e.group(), null, null, null, ids != null ? size : null, e.target(),
                        ids, null));
            }
            store.finish();
            long read = store.bytesRead();
            try (Trees trees = new Trees(repo)) {
                BlobId tree = saveDir("", nodes, children(nodes), trees);
                trees.flush();
                repo.flushIndex();
                Instant end = Instant.now();
                String checkpoint = parseLabel(cap.label()).getOrDefault("CHECKPOINT LOCATION", "").replaceAll("\\s.*", "");
                BaseInfo info = new BaseInfo(facts.version(), facts.major(), facts.systemIdText(), cap.timeline(),
                        cap.start().toString(), cap.stop().toString(), checkpoint, start, end, facts.segmentSize(),
                        cap.nextXid() > 0 ? cap.nextXid() : Long.MAX_VALUE, opts.conn().host() + ":" + opts.conn().port(),
                        cap.label(), BLOCK, true);
                long total = nodes.values().stream().mapToLong(Node::sizeOr0).sum();
                Snapshot.Summary summary = new Snapshot.Summary(start, end, files - cap.filesReused(), 0, cap.filesReused(),
                        nodes.size() - files, blobs, trees.blobsAdded(), added + trees.bytesAdded(), read, files, total,
                        List.of());
                Snapshot snap = new Snapshot(1, start, tree.hex(), null,
                        List.of("postgresql://" + opts.conn().host() + ":" + opts.conn().port()),
                        opts.host() != null ? opts.host() : Hosts.hostname(), Hosts.username(), opts.tags(), BaseInfo.KIND,
                        List.of(), summary, info.toMeta(), Version.get());
                return new Result(Snapshots.save(repo, snap), snap, info, cap.method(), cap.filesReused());
            }
        }
    }

    private void progress(String s) {
        if (progress != null) {
            progress.accept(s);
        }
    }

    /**
     * The newest base backup of the same cluster, whose unchanged files need not be read again; only
     * one split at this block size, so that every file of a backup has blocks of one size.
     */
    private BaseInfo.Base parent(ServerFacts facts) throws IOException {
        BaseInfo.Base best = null;
        for (BaseInfo.Base b : BaseInfo.all(repo)) {
            if (b.info().system() == facts.systemId() && b.info().blockSize() == BLOCK) {
                best = b;
            }
        }
        return best;
    }

    private Map<String, Node> files(BaseInfo.Base base) throws IOException {
        Map<String, Node> out = new HashMap<>();
        new dev.lifeboat.repository.TreeWalker(repo).walk(base.ref().snapshot().tree(), (path, node) -> {
            if (node.isFile()) {
                out.put(path.substring(1), node);
            }
            return true;
        });
        return out;
    }

    private static Map<String, List<String>> children(Map<String, Node> nodes) {
        Map<String, List<String>> out = new HashMap<>();
        for (String path : nodes.keySet()) {
            int slash = path.lastIndexOf('/');
            out.computeIfAbsent(slash < 0 ? "" : path.substring(0, slash), k -> new ArrayList<>()).add(path);
        }
        return out;
    }

    private static BlobId saveDir(String dir, Map<String, Node> nodes, Map<String, List<String>> children, Trees trees)
            throws IOException {
        List<Node> list = new ArrayList<>();
        for (String child : children.getOrDefault(dir, List.of())) {
            Node n = nodes.get(child);
            if (n.isDir()) {
                n = n.withSubtree(saveDir(child, nodes, children, trees).hex());
            }
            list.add(n);
        }
        list.sort(Comparator.comparing(Node::name));
        return trees.save(new Tree(list));
    }

    static Map<String, String> parseLabel(String label) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : label.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 2));
            }
        }
        return out;
    }

    private static String baseName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

}
