package dev.lifeboat.source.postgres;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.PackEntry;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.util.Workers;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Loads a dump's table data into a database over parallel connections, largest table first, and
 * ANALYZEs each table once it is in, unless its connection has a table to split (see {@link #analyzeBeside}).
 *
 * <p>Done here rather than by pg_restore for three reasons. pg_restore reads a data file 4 KiB at a
 * time, and a named pipe wakes its writer at every read: the bench database's restore made 35,000 to
 * 60,000 context switches a second, against 3,000 for pg_restore reading plain files. pg_restore
 * orders tables by the sizes of their files, and a pipe has none. And a table that the restore has
 * just created can be loaded with COPY FREEZE after a TRUNCATE in the same transaction: its rows are
 * written frozen and all-visible, so building its indexes and its first reads do not write every
 * page a second time to set hint bits, and no anti-wraparound vacuum has to rewrite it later.
 *
 * <p>A connection that runs out of tables takes over the second half of the largest load still
 * running, of a table the restore created: a large table would otherwise keep one core busy while
 * the other waits. The split falls
 * on a row boundary (COPY's text format ends every row with a newline and escapes the newlines in
 * values), so a table may be loaded by several COPYs, each committed on its own. The first COPY of a
 * table loaded with FREEZE holds its TRUNCATE's lock, so it is cut short at the next blob and
 * committed before the others start.
 */
final class TableLoader {
    /** Less than this left to load, and a load is not worth splitting (tests split small tables). */
    private final long splitMin = Long.getLong("lifeboat.pg.split-min", 16L << 20);
    /** Encodings in which a byte of a multi-byte character can look like a newline. */
    private static final Set<String> UNSPLITTABLE = Set.of("SJIS", "SHIFT_JIS_2004", "BIG5", "GBK", "UHC", "GB18030", "JOHAB");

    private final Repository repo;
    private final DumpFiles files;
    private final PgConn target;
    private final DataItems items;
    private final java.util.function.Consumer<String> progress;
    private final Set<String> loaded = ConcurrentHashMap.newKeySet();
    private final Set<String> analyzed = ConcurrentHashMap.newKeySet();
    /** Guarded by the lock, in the order the tables were loaded. */
    private final List<String> analyzeBeside = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    /** Guards the segments waiting and running, and each load's counts. */
    private final Object lock = new Object();
    private final List<Segment> waiting = new ArrayList<>();
    private final List<Segment> running = new ArrayList<>();
    private final List<Load> loads = new ArrayList<>();

    TableLoader(Repository repo, DumpFiles files, PgConn target, DataItems items, java.util.function.Consumer<String> progress) {
        this.repo = repo;
        this.files = files;
        this.target = target;
        this.items = items;
        this.progress = progress;
    }

    /** Data files whose table is loaded and committed whole; read it after a failure too. */
    Set<String> loaded() {
        return loaded;
    }

    /** Data files of tables of which some rows were committed, but not all, when the load failed. */
    Set<String> partlyLoaded() {
        synchronized (lock) {
            Set<String> out = new java.util.HashSet<>();
            for (Load l : loads) {
                if (l.committed > 0 && l.open > 0) {
                    out.add(l.table.file());
                }
            }
            return out;
        }
    }

    /** Tables ANALYZEd once loaded, as schema-qualified quoted names. */
    Set<String> analyzed() {
        return analyzed;
    }

    /**
     * Tables left to ANALYZE while the indexes are built, the last loaded first: the one whose load
     * ended the loading, whose ANALYZE would otherwise hold up every index, and those finished while
     * a large table was still loading, whose connection went on to take half of that table rather
     * than ANALYZE first. Each one's own indexes wait for its ANALYZE either way.
     */
    List<String> analyzeBeside() {
        synchronized (lock) {
            List<String> out = new ArrayList<>(analyzeBeside);
            java.util.Collections.reverse(out);
            return out;
        }
    }

    /** Loads every table on up to {@code jobs} connections; the first failure stops the others. */
    void run(int jobs) throws IOException {
        plan();
        if (loads.isEmpty()) {
            return;
        }
        // Up to one connection per table, or per splitMin of a table that can be split between connections.
        long parts = 0;
        for (Load l : loads) {
            parts += l.fresh ? Math.max(1, l.bytes(0, l.ids.size()) / splitMin) : 1;
        }
        Workers.runAll((int) Math.max(1, Math.min(jobs, parts)), "copy", () -> {
            try (Connection c = items.connect(target)) {
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                for (Segment seg; failure.get() == null && (seg = next()) != null; ) {
                    load(c, copy, seg);
                }
            } catch (SQLException e) {
                failure.compareAndSet(null, new PgException(PgErrors.oneLine(e), e));
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        });
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Looks up every table's relation in one query, to know which ones this restore created empty. */
    private void plan() {
        Map<String, Integer> targets = new HashMap<>();
        for (DataItems.Table t : items.tables()) {
            targets.merge(copyTarget(t.copy()), 1, Integer::sum);
        }
        Map<String, String[]> relations = new HashMap<>();
        try (Connection c = target.connect();
             PreparedStatement ps = c.prepareStatement("SELECT t, c.relkind, format('%I.%I', n.nspname, c.relname) "
                     + "FROM unnest(?::text[]) t JOIN pg_class c ON c.oid = to_regclass(t) JOIN pg_namespace n ON n.oid = c.relnamespace")) {
            ps.setArray(1, c.createArrayOf("text", targets.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    relations.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
                }
            }
        } catch (SQLException e) {
            throw new PgException(PgErrors.oneLine(e), e);
        }
        for (DataItems.Table t : items.tables()) {
            Node n = files.dataFile(t.file());
            String table = copyTarget(t.copy());
            if (n == null) {
                throw new PgException("the snapshot has no data file " + t.file() + " for " + table);
            }
            String[] rel = relations.getOrDefault(table, new String[2]);
            boolean ordinary = "r".equals(rel[0]);
            // Only an ordinary table this restore created is surely empty and no one else's to empty.
            boolean fresh = t.created() && targets.get(table) == 1 && ordinary;
            Load l = new Load(t, table, ordinary ? rel[1] : null, fresh, DumpFiles.blobIds(n));
            loads.add(l);
            waiting.add(new Segment(l, 0, l.ids.size()));
        }
    }

    /** The largest waiting table; else the second half of the largest load running; null when all is taken. */
    private Segment next() {
        synchronized (lock) {
            Segment s = waiting.stream().max(Comparator.comparingLong(Segment::left)).orElse(null);
            if (s != null) {
                waiting.remove(s);
            } else if (splittable()) {
                s = split();
            }
            if (s != null) {
                running.add(s);
            }
            return s;
        }
    }

    private boolean splittable() {
        return !UNSPLITTABLE.contains(items.encoding().toUpperCase(java.util.Locale.ROOT));
    }

    /** Whether another connection may take over part of this running segment. */
    private boolean canSplit(Segment r) {
        return r.load.fresh && r.left() >= splitMin;
    }

    private Segment split() {
        // Only tables this restore created: one that existed keeps pg_restore's one transaction per table,
        // so that a failed load leaves none of its rows behind.
        Segment victim = running.stream().filter(this::canSplit).max(Comparator.comparingLong(Segment::left)).orElse(null);
        if (victim == null) {
            return null;
        }
        // A first COPY with FREEZE is cut right away: nothing else can load its table before it commits.
        int cut = victim.holdsLock() ? victim.pos + 1 : victim.pos + (victim.end - victim.pos) / 2;
        // The cut never falls on the last blob, which may be as short as the end-of-data marker.
        cut = Math.min(cut, victim.load.ids.size() - 2);
        if (cut <= victim.pos || cut >= victim.end || victim.load.bytes(cut, victim.end) < splitMin / 2) {
            return null;
        }
        Segment s = new Segment(victim.load, cut, victim.end);
        victim.end = cut;
        victim.load.open++;
        return s;
    }

    private void load(Connection c, CopyManager copy, Segment seg) throws SQLException {
        Load l = seg.load;
        boolean freeze = l.fresh && seg.start == 0;
        try {
            if (l.fresh && !freeze) {
                l.firstCommitted.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgException("interrupted");
        }
        boolean committed = false;
        boolean done = false;
        boolean later = false;
        c.setAutoCommit(false);
        try {
            if (failure.get() == null) {
                if (freeze) {
                    try (Statement s = c.createStatement()) {
                        s.execute("TRUNCATE TABLE ONLY " + l.target);
                    }
                }
                copy(copy, seg, statement(l.table.copy(), freeze, items.encoding()));
                c.commit();
                committed = true;
            }
        } catch (RuntimeException | SQLException e) {
            try {
                c.rollback();
            } catch (SQLException lost) {
                e.addSuppressed(lost); // the connection is gone, and the transaction with it
            }
            throw e;
        } finally {
            // First, so that no other part of the table waits for ever, whatever happened here.
            if (freeze) {
                l.firstCommitted.countDown();
            }
            synchronized (lock) {
                running.remove(seg);
                if (committed) {
                    l.committed++;
                    l.open--;
                    done = l.open == 0; // this segment was the table's last
                    // Done, and nothing left but what this connection may split, or nothing at all.
                    later = done && l.analyze != null && waiting.isEmpty()
                            && (running.isEmpty() || splittable() && running.stream().anyMatch(this::canSplit));
                    if (later) {
                        analyzeBeside.add(l.analyze);
                    }
                }
            }
        }
        c.setAutoCommit(true);
        if (done) {
            loaded.add(l.table.file());
            progress.accept(String.format("loaded %s (%.1f MiB, %d of %d tables)", l.target,
                    l.bytes(0, l.ids.size()) / 1048576.0, loaded.size(), loads.size()));
            if (l.analyze != null && !later) {
                try (Statement s = c.createStatement()) {
                    s.execute("ANALYZE " + l.analyze);
                }
                analyzed.add(l.analyze);
            }
        }
    }

    /** Streams the segment's rows into one COPY. */
    private void copy(CopyManager copy, Segment seg, String sql) throws SQLException {
        Load l = seg.load;
        CopyIn in = copy.copyIn(sql);
        try {
            DumpFiles.writeAhead(repo, l.ids, seg.start, new DumpFiles.Sink() {
                boolean skipping = seg.start > 0;

                @Override
                public boolean write(int index, byte[] b, int len) throws IOException {
                    if (failure.get() != null) {
                        throw new Stopped();
                    }
                    boolean last;
                    synchronized (lock) {
                        seg.pos = index;
                        last = index >= seg.end;
                    }
                    int from = 0;
                    if (skipping) {
                        // The row that runs into this segment's first blob belongs to the segment before.
                        int nl = newline(b, 0, len);
                        if (nl < 0) {
                            return true;
                        }
                        skipping = false;
                        from = nl + 1;
                        if (last) {
                            return false;
                        }
                    }
                    if (!last) {
                        send(in, b, from, len - from);
                        return true;
                    }
                    // Past its end, a segment sends only the rest of the row it is in.
                    int nl = newline(b, from, len);
                    send(in, b, from, (nl < 0 ? len : nl + 1) - from);
                    return nl < 0;
                }
            });
            in.endCopy();
        } catch (DumpFiles.RepositoryIOException e) {
            throw cancel(in, new PgException("cannot read the snapshot: " + e.getMessage(), e));
        } catch (CopyFailed e) {
            throw cancel(in, new PgException("loading " + l.target + " failed: " + PgErrors.oneLine(e.getCause()), e.getCause()));
        } catch (Stopped e) {
            throw cancel(in, new PgException("stopped, another table failed"));
        } catch (IOException e) {
            throw cancel(in, new PgException("loading " + l.target + " failed: " + e.getMessage(), e));
        } catch (SQLException e) {
            throw new PgException("loading " + l.target + " failed: " + PgErrors.oneLine(e), e);
        }
    }

    private static void send(CopyIn in, byte[] b, int off, int len) throws CopyFailed {
        if (len == 0) {
            return;
        }
        try {
            in.writeToCopy(b, off, len);
        } catch (SQLException e) {
            throw new CopyFailed(e);
        }
    }

    private static int newline(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Ends a COPY that cannot go on, so that its transaction rolls back; returns {@code why} to throw. */
    private static RuntimeException cancel(CopyIn in, RuntimeException why) {
        if (in.isActive()) {
            try {
                in.cancelCopy();
            } catch (SQLException ignored) {
                // the connection is going; the transaction is lost with it
            }
        }
        return why;
    }

    /** pg_dump's "COPY t (cols) FROM stdin;" with FREEZE for a fresh table and the dump's encoding where it is not the driver's. */
    static String statement(String copy, boolean freeze, String encoding) {
        List<String> options = new ArrayList<>();
        if (freeze) {
            options.add("FREEZE");
        }
        if (!encoding.equalsIgnoreCase("UTF8")) {
            options.add("ENCODING " + PgRestore.literal(encoding));
        }
        String base = copy.endsWith(";") ? copy.substring(0, copy.length() - 1) : copy;
        return options.isEmpty() ? base : base + " WITH (" + String.join(", ", options) + ")";
    }

    /** The table a COPY statement loads, as written in it: "schema.table", either part maybe quoted. */
    static String copyTarget(String copy) {
        int i = "COPY ".length();
        while (i < copy.length()) {
            if (copy.charAt(i) == '"') {
                i++;
                while (i < copy.length() && !(copy.charAt(i) == '"' && (i + 1 >= copy.length() || copy.charAt(i + 1) != '"'))) {
                    i += copy.charAt(i) == '"' ? 2 : 1;
                }
                i++;
            } else {
                while (i < copy.length() && copy.charAt(i) != '.' && copy.charAt(i) != ' ') {
                    i++;
                }
            }
            if (i < copy.length() && copy.charAt(i) == '.') {
                i++;
            } else {
                break;
            }
        }
        return copy.substring("COPY ".length(), Math.min(i, copy.length()));
    }

    /** One table's data file. */
    private final class Load {
        final DataItems.Table table;
        /** The COPY's target as the dump writes it. */
        final String target;
        /** The name to ANALYZE once loaded, or null for a relation that is not an ordinary table. */
        final String analyze;
        final boolean fresh;
        final List<BlobId> ids;
        final long[] ends;
        final CountDownLatch firstCommitted = new CountDownLatch(1);
        /** Segments not yet committed, and segments committed (guarded by the loader's lock). */
        int open = 1;
        int committed;

        Load(DataItems.Table table, String target, String analyze, boolean fresh, List<BlobId> ids) {
            this.table = table;
            this.target = target;
            this.analyze = analyze;
            this.fresh = fresh;
            this.ids = ids;
            this.ends = new long[ids.size()];
            long sum = 0;
            for (int i = 0; i < ids.size(); i++) {
                PackEntry e = repo.index().get(ids.get(i));
                sum += e == null ? 0 : e.rawLength();
                ends[i] = sum;
            }
        }

        /** Bytes in blobs [from, to). */
        long bytes(int from, int to) {
            if (to <= from) {
                return 0;
            }
            return ends[to - 1] - (from == 0 ? 0 : ends[from - 1]);
        }
    }

    /**
     * The rows of a table's blobs [start, end): from the first row that starts in blob {@code start}
     * (all of blob 0) to the row that runs past the start of blob {@code end}. Another connection may
     * move {@code end} down while the segment runs; {@code pos} is the blob being sent.
     */
    private static final class Segment {
        final Load load;
        final int start;
        int end;
        int pos;

        Segment(Load load, int start, int end) {
            this.load = load;
            this.start = start;
            this.end = end;
            this.pos = start;
        }

        long left() {
            return load.bytes(pos, end);
        }

        boolean holdsLock() {
            return load.fresh && start == 0;
        }
    }

    /** The loading was stopped because another table failed. */
    private static final class Stopped extends IOException {
    }

    /** The server refused the data; carries its error. */
    private static final class CopyFailed extends IOException {
        CopyFailed(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }
}
