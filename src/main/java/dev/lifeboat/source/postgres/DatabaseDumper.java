package dev.lifeboat.source.postgres;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.repository.Trees;
import dev.lifeboat.source.files.StreamSaver;
import dev.lifeboat.source.postgres.DumpInfo.DatabaseDump;
import dev.lifeboat.source.postgres.DumpInfo.TableDump;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Dumps one database into the repository: pg_dump writes a directory-format dump under a
 * snapshot this class exports, and each file is stored while pg_dump is still writing it, then
 * deleted, so temporary space stays near the size of the tables in flight. Row counts are the
 * rows in the dump itself, so exactly those of the exported snapshot; optionally they are also
 * counted with SQL in that snapshot and must match, or the backup fails.
 */
final class DatabaseDumper {
    static final String TOC = "toc.dat";
    private static final long POLL_MILLIS = 15;

    record Result(Node dir, DatabaseDump info, long bytesAdded, int blobsAdded, long bytesRead, int files) {
    }

    private final Repository repo;
    private final Trees trees;
    private final PgConn conn;
    private final Path pgDump;
    private final Path pgRestore;
    private final List<String> selection;
    private final int jobs;
    private final Path tmpRoot;
    private final Consumer<String> progress;
    private final boolean sqlCounts;
    private final int compressionLevel;

    private final Map<String, Stored> stored = new ConcurrentHashMap<>();
    private final Set<String> closed = ConcurrentHashMap.newKeySet();
    /** Bytes of each file already stored; the rest of what pg_dump wrote is the backlog on disk. */
    private final Map<String, java.util.concurrent.atomic.AtomicLong> consumed = new ConcurrentHashMap<>();
    private final long tempLimit;
    private final AtomicReference<Throwable> workerFailure = new AtomicReference<>();
    private volatile boolean dumpFailed;

    private record Stored(long size, List<String> content, long newlines, long bytesAdded, int blobsAdded, byte[] tail) {
    }

    DatabaseDumper(Repository repo, Trees trees, PgConn conn, Path pgDump, Path pgRestore, List<String> selection,
                   int jobs, Path tmpRoot, Consumer<String> progress, boolean sqlCounts, int compressionLevel, long tempLimit) {
        this.tempLimit = tempLimit;
        this.sqlCounts = sqlCounts;
        this.compressionLevel = compressionLevel;
        this.repo = repo;
        this.trees = trees;
        this.conn = conn;
        this.pgDump = pgDump;
        this.pgRestore = pgRestore;
        this.selection = selection;
        this.jobs = Math.max(1, jobs);
        this.tmpRoot = tmpRoot;
        this.progress = progress;
    }

    Result run(String dirName) throws IOException {
        Path work = Files.createTempDirectory(tmpRoot, "lifeboat-pgdump-");
        // Interrupted (Ctrl-C, SIGTERM): no pg_dump left running, paused or not, and no dump left on disk.
        Thread cleanup = new Thread(() -> {
            ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").equals(pgDump.toString()))
                    .forEach(p -> {
                        p.descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly();
                    });
            deleteTree(work);
        }, "pgdump-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (Connection holder = conn.connect()) {
            holder.setAutoCommit(false);
            holder.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            holder.setReadOnly(true);
            String snapshotId = query1(holder, "SELECT pg_export_snapshot()");
            DatabaseProps props = DatabaseProps.read(holder);
            Path dir = Files.createDirectory(work.resolve("dump")).toRealPath();
            RowCounter counter = new RowCounter(holder, sqlCounts);
            List<Node> nodes = dump(dir, snapshotId, counter);
            Map<Long, TableCount> counts = counter.await();
            holder.commit();
            List<TableDump> tables = tablesOf(counter.dataEntries(), counts);
            Tree tree = new Tree(nodes);
            BlobId treeId = trees.save(tree);
            long added = 0;
            int blobs = 0;
            long read = 0;
            for (Stored s : stored.values()) {
                added += s.bytesAdded;
                blobs += s.blobsAdded;
                read += s.size;
            }
            Node dirNode = new Node(dirName, Node.DIR, 0700, null, null, null, null, null, null, null, null, null,
                    null, null, null, treeId.hex());
            DatabaseDump info = new DatabaseDump(conn.dbname(), dirName, props.encoding, props.collate, props.ctype,
                    props.size, tables, props.notValid);
            return new Result(dirNode, info, added, blobs, read, nodes.size());
        } catch (SQLException e) {
            throw new PgException("database " + conn.dbname() + ": " + PgErrors.oneLine(e), e);
        } finally {
            deleteTree(work);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to
            }
        }
    }

    private List<Node> dump(Path dir, String snapshotId, RowCounter counter) throws IOException {
        List<String> args = new ArrayList<>(List.of("--format=directory", "--compress=0", "--no-sync", "--verbose",
                "--snapshot=" + snapshotId, "--jobs=" + jobs, "--file=" + dir));
        args.addAll(selection);
        args.add("--dbname=" + conn.conninfo());
        PgTool tool = PgTool.start(pgDump, args, conn, ProcessBuilder.Redirect.from(new java.io.File("/dev/null")),
                ProcessBuilder.Redirect.DISCARD, null);
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            Thread t = new Thread(() -> work(dir, queue), "pgdump-store-" + i);
            t.start();
            workers.add(t);
        }
        boolean listed = false;
        Set<String> seen = new java.util.HashSet<>();
        Backpressure pause = new Backpressure(tool.process().toHandle(), tempLimit);
        List<Long> pids = null;
        int polls = 0;
        try {
            while (true) {
                boolean alive = tool.process().isAlive();
                List<String> names = list(dir);
                boolean newFile = false;
                for (String name : names) {
                    if (seen.add(name)) {
                        newFile = true;
                        if (isData(name)) {
                            queue.add(name);
                        }
                    }
                }
                // Listing pg_dump's workers scans all of /proc: done when a file appears (its writer
                // exists by then) and now and then, not on every poll.
                if (alive && OpenFiles.supported() && (pids == null || newFile || ++polls % 32 == 0)) {
                    pids = OpenFiles.tree(tool.process().toHandle());
                }
                Set<Path> open = alive && OpenFiles.supported() ? OpenFiles.of(pids) : Set.of();
                for (String name : names) {
                    if (!alive || (OpenFiles.supported() && !open.contains(dir.resolve(name)))) {
                        closed.add(name);
                    }
                }
                if (!listed && closed.contains(TOC)) {
                    counter.start(listData(dir));
                    listed = true;
                }
                if (workerFailure.get() != null && alive) {
                    pause.resume();
                    tool.kill();
                } else if (alive) {
                    pause.adjust(backlog(dir, names));
                }
                if (!alive) {
                    break;
                }
                sleep(POLL_MILLIS);
            }
            int code = tool.waitFor();
            if (code != 0 && workerFailure.get() == null) {
                dumpFailed = true;
                throw new PgException("pg_dump of database " + conn.dbname() + " failed: " + tool.error());
            }
        } finally {
            pause.resume();
            for (int i = 0; i < workers.size(); i++) {
                queue.add("");
            }
            for (Thread t : workers) {
                join(t);
            }
            if (tool.process().isAlive()) {
                tool.kill();
            }
        }
        Throwable failure = workerFailure.get();
        if (failure != null) {
            throw failure instanceof IOException io ? io : new IOException(failure.getMessage(), failure);
        }
        if (!listed) {
            counter.start(listData(dir));
        }
        // The table of contents and the large-object list are small and complete only now.
        try (StreamSaver saver = new StreamSaver(repo, compressionLevel)) {
            for (String name : list(dir)) {
                if (!stored.containsKey(name)) {
                    store(saver, dir, name);
                }
            }
            saver.flush();
        }
        List<Node> nodes = new ArrayList<>();
        long now = System.currentTimeMillis() * 1_000_000L;
        for (Map.Entry<String, Stored> e : stored.entrySet()) {
            Stored s = e.getValue();
            nodes.add(new Node(e.getKey(), Node.FILE, 0600, now, now, null, null, null, null, null, null, null,
                    s.size, null, s.content, null));
        }
        nodes.sort(Comparator.comparing(Node::name));
        return nodes;
    }

    /** What pg_dump has written that is not stored yet: the temporary space in use, give or take the holes punched. */
    private long backlog(Path dir, List<String> names) {
        long total = 0;
        for (String name : names) {
            if (!isData(name)) {
                continue;
            }
            try {
                java.util.concurrent.atomic.AtomicLong done = consumed.get(name);
                total += Math.max(0, Files.size(dir.resolve(name)) - (done == null ? 0 : done.get()));
            } catch (IOException ignored) {
                // stored and deleted since the listing
            }
        }
        return total;
    }

    /**
     * Stops pg_dump (SIGSTOP) while the files it has written but Lifeboat has not yet stored
     * exceed the limit, and lets it go on (SIGCONT) once they are down to half: temporary space
     * stays bounded even when storing is slower than dumping. The server just waits on its socket.
     */
    private static final class Backpressure {
        private final ProcessHandle dump;
        private final long limit;
        private boolean stopped;

        Backpressure(ProcessHandle dump, long limit) {
            this.dump = dump;
            this.limit = limit;
        }

        void adjust(long backlog) {
            if (!stopped && backlog > limit) {
                signal("-STOP");
                stopped = true;
            } else if (stopped && backlog < limit / 2) {
                resume();
            }
        }

        void resume() {
            if (stopped) {
                signal("-CONT");
                stopped = false;
            }
        }

        private boolean works = true;

        /** Java cannot send SIGSTOP, so kill(1) does; without it there is no pausing, only a larger temporary directory. */
        private void signal(String sig) {
            if (!works) {
                return;
            }
            List<String> cmd = new ArrayList<>(List.of("kill", sig, String.valueOf(dump.pid())));
            dump.descendants().forEach(p -> cmd.add(String.valueOf(p.pid())));
            try {
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            } catch (IOException e) {
                works = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean isData(String name) {
        return name.endsWith(".dat") && !name.equals(TOC);
    }

    private void work(Path dir, BlockingQueue<String> queue) {
        try (StreamSaver saver = new StreamSaver(repo, compressionLevel)) {
            while (true) {
                String name = queue.take();
                if (name.isEmpty()) {
                    break;
                }
                if (workerFailure.get() == null && !dumpFailed) {
                    store(saver, dir, name);
                    Files.deleteIfExists(dir.resolve(name));
                }
            }
            saver.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workerFailure.compareAndSet(null, e);
        } catch (IOException | RuntimeException e) {
            workerFailure.compareAndSet(null, e);
        }
    }

    private void store(StreamSaver saver, Path dir, String name) throws IOException {
        java.util.concurrent.atomic.AtomicLong position = consumed.computeIfAbsent(name, k -> new java.util.concurrent.atomic.AtomicLong());
        try (GrowingFile in = new GrowingFile(dir.resolve(name), () -> closed.contains(name),
                () -> dumpFailed || workerFailure.get() != null, position, tempLimit / 4)) {
            StreamSaver.Saved s;
            try {
                s = saver.save(in, n -> { });
            } catch (StreamSaver.StoreFailedException e) {
                throw e.getCause();
            }
            stored.put(name, new Stored(s.size(), s.content(), in.newlines(), s.bytesAdded(), s.blobsAdded(), in.tail()));
            if (progress != null && name.matches("\\d+\\.dat")) {
                progress.accept(name);
            }
        }
    }

    /** The TABLE DATA entries of the dump's table of contents: file name to table oid. */
    private Map<String, Long> listData(Path dir) {
        Map<String, Long> data = new java.util.LinkedHashMap<>();
        for (TocLine t : TocLine.list(pgRestore, dir)) {
            if (t.desc().equals("TABLE DATA")) {
                data.put(t.dumpId() + ".dat", t.oid());
            }
        }
        return data;
    }

    private List<TableDump> tablesOf(Map<String, Long> entries, Map<Long, TableCount> counts) {
        List<TableDump> tables = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Long> e : entries.entrySet()) {
            TableCount c = counts.get(e.getValue());
            Stored s = stored.get(e.getKey());
            if (c == null || s == null) {
                throw new PgException("dump of database " + conn.dbname() + " is incomplete: no data file "
                        + e.getKey() + (c != null ? " for table " + c.schema + "." + c.name : ""));
            }
            // Every row is one line; pg_dump ends the data with a "\." line and empty lines. A file
            // without that end is cut short, whatever the reason, and must not become a backup.
            int trailing = GrowingFile.endOfCopyData(s.tail);
            if (trailing < 0) {
                throw new PgException("the dump of table " + c.schema + "." + c.name + " in database " + conn.dbname()
                        + " is incomplete (no end-of-data marker); no snapshot was written");
            }
            long rows = s.newlines - trailing;
            if (c.rows >= 0 && rows != c.rows) {
                mismatches.add(c.schema + "." + c.name + " (database: " + c.rows + ", dump: " + rows + ")");
            }
            tables.add(new TableDump(c.schema, c.name, e.getKey(), rows, c.bytes));
        }
        if (!mismatches.isEmpty()) {
            throw new PgException("row counts in the dump differ from the database: " + String.join(", ", mismatches));
        }
        tables.sort(Comparator.comparing(TableDump::schema).thenComparing(TableDump::name));
        return tables;
    }

    private static List<String> list(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                names.add(p.getFileName().toString());
            }
        }
        return names;
    }

    static String query1(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgException("interrupted");
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void deleteTree(Path root) {
        try {
            dev.lifeboat.source.postgres.cluster.WorkDirs.delete(root);
        } catch (IOException ignored) {
            // best effort: a leftover temp file must not mask the real outcome
        }
    }

    record TableCount(String schema, String name, long rows, long bytes) {
    }

    /**
     * Names and sizes the dumped tables, in the dump's snapshot, in parallel with pg_dump; with
     * {@code sqlCounts} also counts each table's rows with SQL, to cross-check the dump.
     */
    private static final class RowCounter {
        private final Connection holder;
        private final boolean sqlCounts;
        private Thread thread;
        private Map<String, Long> entries = Map.of();
        private final Map<Long, TableCount> counts = new ConcurrentHashMap<>();
        private volatile Throwable failure;

        RowCounter(Connection holder, boolean sqlCounts) {
            this.holder = holder;
            this.sqlCounts = sqlCounts;
        }

        void start(Map<String, Long> dataEntries) {
            this.entries = dataEntries;
            thread = new Thread(this::count, "pg-row-count");
            thread.start();
        }

        Map<String, Long> dataEntries() {
            return entries;
        }

        private void count() {
            try (PreparedStatement ps = holder.prepareStatement(
                    "SELECT c.oid, n.nspname, c.relname, format('%I.%I', n.nspname, c.relname), pg_total_relation_size(c.oid) "
                            + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY(?)")) {
                ps.setArray(1, holder.createArrayOf("oid", entries.values().toArray()));
                List<Object[]> rels = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rels.add(new Object[]{rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)});
                    }
                }
                for (Object[] r : rels) {
                    long n = sqlCounts ? Long.parseLong(query1(holder, "SELECT count(*) FROM ONLY " + r[3])) : -1;
                    counts.put((Long) r[0], new TableCount((String) r[1], (String) r[2], n, (Long) r[4]));
                }
            } catch (SQLException | RuntimeException e) {
                failure = e;
            }
        }

        Map<Long, TableCount> await() throws SQLException {
            if (thread != null) {
                join(thread);
            }
            if (failure instanceof SQLException s) {
                throw s;
            }
            if (failure != null) {
                throw (RuntimeException) failure;
            }
            return counts;
        }
    }
}
