package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.Hosts;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.repository.Trees;
import dev.lifeboat.source.files.StreamSaver;
import dev.lifeboat.source.postgres.PgConn;
import dev.lifeboat.source.postgres.PgException;
import dev.lifeboat.source.postgres.PgTool;
import dev.lifeboat.source.postgres.cluster.PgBinaries;
import dev.lifeboat.util.Version;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A physical base backup of a whole cluster: pg_basebackup's tar stream (with the WAL needed to
 * make it consistent) is read as it arrives and every file is stored in fixed, page-aligned blocks,
 * so the next base backup stores only the blocks that changed. Hashing, compressing and
 * encrypting run on worker threads while this thread reads the stream.
 */
public final class BaseBackup {
    /** Eight PostgreSQL pages: small enough that a few changed rows add little, large enough to compress well. */
    public static final int BLOCK = 64 * 1024;
    private static final int BATCH = 16 * BLOCK;
    private static final Pattern START = Pattern.compile("write-ahead log start point: ([0-9A-F]+/[0-9A-F]+) on timeline (\\d+)");
    private static final Pattern END = Pattern.compile("write-ahead log end point: ([0-9A-F]+/[0-9A-F]+)");

    public record Options(PgConn conn, List<String> tags, String host, Optional<Path> pgBin, int compressionLevel,
                          int threads) {
    }

    public record Result(BlobId id, Snapshot snapshot, BaseInfo info) {
    }

    private final Repository repo;
    private final Options opts;
    private final Consumer<String> progress;

    public BaseBackup(Repository repo, Options opts, Consumer<String> progress) {
        this.repo = repo;
        this.opts = opts;
        this.progress = progress;
    }

    private record Stored(List<String> ids, long added, int blobs) {
    }

    private static final class FileAcc {
        final TarReader.Entry entry;
        final List<Future<Stored>> parts = new ArrayList<>();

        FileAcc(TarReader.Entry entry) {
            this.entry = entry;
        }
    }

    public Result run() throws IOException {
        Instant start = Instant.now();
        ServerFacts facts = ServerFacts.probe(opts.conn());
        facts.requireReplicaWal(opts.conn());
        Path tool = PgBinaries.forMajor(facts.major(), opts.pgBin()).tool("pg_basebackup");
        repo.loadIndex();
        String[] startPoint = new String[2];
        String[] endPoint = new String[1];
        List<String> args = List.of("-d", opts.conn().conninfo(), "-D", "-", "-F", "t", "-X", "fetch", "-c", "fast",
                "-v", "--no-manifest", "-l", "lifeboat base backup " + start);
        PgTool pgb = PgTool.start(tool, args, opts.conn(), ProcessBuilder.Redirect.from(new java.io.File("/dev/null")),
                ProcessBuilder.Redirect.PIPE, line -> {
                    Matcher m = START.matcher(line);
                    if (m.find()) {
                        startPoint[0] = m.group(1);
                        startPoint[1] = m.group(2);
                    }
                    Matcher e = END.matcher(line);
                    if (e.find()) {
                        endPoint[0] = e.group(1);
                    }
                });
        if (progress != null) {
            progress.accept("base backup of " + opts.conn().host() + ":" + opts.conn().port() + " (checkpoint first)");
        }
        int threads = Math.max(1, opts.threads());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "basebackup-store");
            t.setDaemon(true);
            return t;
        });
        BlockingQueue<byte[]> buffers = new ArrayBlockingQueue<>(threads * 3);
        for (int i = 0; i < threads * 3; i++) {
            buffers.add(new byte[BATCH]);
        }
        List<StreamSaver> savers = new ArrayList<>();
        ThreadLocal<StreamSaver> saver = ThreadLocal.withInitial(() -> {
            StreamSaver s = new StreamSaver(repo, opts.compressionLevel());
            synchronized (savers) {
                savers.add(s);
            }
            return s;
        });
        Map<String, FileAcc> entries = new LinkedHashMap<>();
        byte[] label = null;
        AtomicLong read = new AtomicLong();
        try (InputStream raw = new BufferedInputStream(pgb.process().getInputStream(), 1 << 20)) {
            TarReader tar = new TarReader(raw);
            for (TarReader.Entry e; (e = tar.next()) != null; ) {
                FileAcc acc = new FileAcc(e);
                entries.put(e.name(), acc);
                if (!e.isFile()) {
                    continue;
                }
                InputStream content = tar.content();
                if (e.name().equals("backup_label")) {
                    label = content.readAllBytes();
                    byte[] copy = label;
                    acc.parts.add(pool.submit(() -> store(saver.get(), copy, copy.length)));
                    continue;
                }
                while (true) {
                    byte[] buf = buffers.take();
                    int n = content.readNBytes(buf, 0, BATCH);
                    if (n == 0) {
                        buffers.add(buf);
                        break;
                    }
                    read.addAndGet(n);
                    acc.parts.add(pool.submit(() -> {
                        try {
                            return store(saver.get(), buf, n);
                        } finally {
                            buffers.add(buf);
                        }
                    }));
                    if (n < BATCH) {
                        break;
                    }
                }
            }
            raw.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            pgb.kill();
            pgb.waitFor();
            pool.shutdownNow();
            if (pgb.saidSomething() && pgb.error().contains("error")) {
                throw new PgException("pg_basebackup failed: " + pgb.error());
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pgb.kill();
            pool.shutdownNow();
            throw new IOException("interrupted");
        }
        int code = pgb.waitFor();
        if (code != 0) {
            pool.shutdownNow();
            throw new PgException("pg_basebackup failed: " + pgb.error());
        }
        Map<String, Node> nodes = new LinkedHashMap<>();
        long added = 0;
        long blobs = 0;
        int files = 0;
        for (FileAcc acc : entries.values()) {
            TarReader.Entry e = acc.entry;
            long mtime = e.mtimeSeconds() * 1_000_000_000L;
            List<String> ids = new ArrayList<>();
            for (Future<Stored> f : acc.parts) {
                Stored s = get(f, pool);
                ids.addAll(s.ids());
                added += s.added();
                blobs += s.blobs();
            }
            String type = e.isDir() ? Node.DIR : e.isSymlink() ? Node.SYMLINK : Node.FILE;
            if (type.equals(Node.FILE)) {
                files++;
            }
            nodes.put(e.name(), new Node(baseName(e.name()), type, e.mode() & 07777, mtime, mtime, e.uid(), e.gid(),
                    empty(e.user()), empty(e.group()), null, null, null, type.equals(Node.FILE) ? e.size() : null,
                    e.isSymlink() ? e.linkTarget() : null, type.equals(Node.FILE) ? ids : null, null));
        }
        pool.shutdown();
        for (StreamSaver s : savers) {
            s.flush();
            s.close();
        }
        if (label == null || startPoint[0] == null || endPoint[0] == null) {
            throw new PgException("pg_basebackup's output has no backup_label or WAL positions; the backup is not usable");
        }
        Map<String, String> labelFields = parseLabel(new String(label, StandardCharsets.UTF_8));
        try (Trees trees = new Trees(repo)) {
            BlobId tree = saveDir("", nodes, children(nodes), trees);
            trees.flush();
            repo.flushIndex();
            Instant end = Instant.now();
            String checkpoint = labelFields.getOrDefault("CHECKPOINT LOCATION", "").strip();
            BaseInfo info = new BaseInfo(facts.version(), facts.major(), facts.systemIdText(),
                    Integer.parseInt(startPoint[1]), startPoint[0], endPoint[0], checkpoint, start, end,
                    facts.segmentSize(), facts.nextXid(), opts.conn().host() + ":" + opts.conn().port(),
                    new String(label, StandardCharsets.UTF_8), BLOCK, true);
            Snapshot.Summary summary = new Snapshot.Summary(start, end, files, 0, 0, nodes.size() - files, blobs,
                    trees.blobsAdded(), added + trees.bytesAdded(), read.get(), files, read.get(), List.of());
            Snapshot snap = new Snapshot(1, start, tree.hex(), null,
                    List.of("postgresql://" + opts.conn().host() + ":" + opts.conn().port()),
                    opts.host() != null ? opts.host() : Hosts.hostname(), Hosts.username(), opts.tags(), BaseInfo.KIND,
                    List.of(), summary, info.toMeta(), Version.get());
            return new Result(Snapshots.save(repo, snap), snap, info);
        }
    }

    private static Stored store(StreamSaver saver, byte[] buf, int n) throws IOException {
        StreamSaver.Saved s = saver.saveBlocks(buf, 0, n, BLOCK);
        return new Stored(s.content(), s.bytesAdded(), s.blobsAdded());
    }

    private static Stored get(Future<Stored> f, ExecutorService pool) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            pool.shutdownNow();
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException(c.getMessage(), c);
        }
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

    private static String empty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
