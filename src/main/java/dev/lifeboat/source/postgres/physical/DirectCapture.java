package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.repository.Node;
import dev.lifeboat.source.postgres.PgConn;
import dev.lifeboat.source.postgres.PgErrors;
import dev.lifeboat.source.postgres.PgException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Reads the data directory itself between pg_backup_start and pg_backup_stop, as pgBackRest does
 * on the database host: no walsender and pg_basebackup process copying every byte, and a file
 * whose size and modification time are those of the parent backup, and that was last modified
 * well before the parent began, is not read again (its blocks are the parent's). Pages changed
 * while a file is read are made consistent by the WAL from the backup's start to its stop, which
 * is copied from pg_wal after pg_backup_stop has switched to a new segment.
 */
final class DirectCapture implements AutoCloseable {
    /** Directories whose contents the server rebuilds at startup (as pg_basebackup leaves them out). */
    private static final Set<String> EMPTY_DIRS = Set.of("pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial",
            "pg_snapshots", "pg_stat_tmp", "pg_subtrans");
    private static final Set<String> SKIP_FILES = Set.of("postmaster.pid", "postmaster.opts", "pg_internal.init",
            "backup_label", "backup_label.old", "tablespace_map", "current_logfiles", "postgresql.auto.conf.tmp",
            "backup_manifest");
    /** Temporary tables' files (t&lt;backend&gt;_&lt;relfilenode&gt;): gone after a restart anyway. */
    private static final java.util.regex.Pattern TEMP_RELATION = java.util.regex.Pattern.compile("t\\d+_\\d+(_\\w+)?(\\.\\d+)?");
    /** A file modified this close to the parent backup's start may have changed unseen within the clock's resolution. */
    private static final long REUSE_MARGIN_NANOS = 2_000_000_000L;

    private final PgConn conn;
    private final ServerFacts facts;
    private final Path dataDir;
    private Connection session;
    private Lsn start;
    private long nextXid;
    private boolean stopped;

    DirectCapture(PgConn conn, ServerFacts facts, Path dataDir) {
        this.conn = conn;
        this.facts = facts;
        this.dataDir = dataDir;
    }

    /** The server's data directory when this process can read it and it is that server's (same system id). */
    static Path localDataDir(PgConn conn, ServerFacts facts) {
        try (Connection c = conn.connect(); var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('data_directory'), has_function_privilege("
                     + (facts.major() >= 15 ? "'pg_backup_start(text, boolean)'" : "'pg_start_backup(text, boolean, boolean)'")
                     + ", 'execute')")) {
            rs.next();
            if (!rs.getBoolean(2)) {
                return null; // may still stream: a replication role needs no more
            }
            Path dir = Path.of(rs.getString(1));
            Path control = dir.resolve("global").resolve("pg_control");
            if (!Files.isReadable(control) || ArchivePush.systemId(control) != facts.systemId()) {
                return null;
            }
            return dir;
        } catch (SQLException | IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Starts the backup on the server (a fast checkpoint first). Needs no repository, so it runs
     * while the passphrase is being stretched. The session must stay open until {@link #run}.
     */
    void begin(String label) {
        session = conn.connect();
        try (PreparedStatement ps = session.prepareStatement(facts.major() >= 15
                ? "SELECT pg_backup_start(?, true)::text" : "SELECT pg_start_backup(?, true, false)::text")) {
            ps.setString(1, label);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                start = Lsn.parse(rs.getString(1));
            }
            nextXid = ServerFacts.nextXid(session);
        } catch (SQLException e) {
            close();
            throw new PgException("base backup of " + conn.describe() + " failed: " + PgErrors.oneLine(e), e);
        }
    }

    Capture run(BlockStore store, Map<String, Node> parent, Instant parentStart) throws IOException {
        try {
            List<Capture.Entry> entries = new ArrayList<>();
            int[] reused = new int[1];
            long[] reusedBytes = new long[1];
            walk(store, parent, parentStart, entries, reused, reusedBytes);
            // every file must be read before the backup's end is fixed: its WAL must cover all the reads
            for (Capture.Entry e : entries) {
                if (e.parts() != null) {
                    for (var f : e.parts()) {
                        store.get(f);
                    }
                }
            }
            String stopSql = facts.major() >= 15 ? "SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(false)"
                    : "SELECT lsn::text, labelfile, spcmapfile FROM pg_stop_backup(false, false)";
            Lsn stop;
            String labelFile;
            String spcmap;
            try (var st = session.createStatement(); ResultSet rs = st.executeQuery(stopSql)) {
                rs.next();
                stop = Lsn.parse(rs.getString(1));
                labelFile = rs.getString(2);
                spcmap = rs.getString(3);
            }
            stopped = true;
            if (spcmap != null && !spcmap.isBlank()) {
                throw new PgException("the cluster has tablespaces outside its data directory; Lifeboat's base "
                        + "backups do not cover them yet");
            }
            Capture.Entry version = entries.stream().filter(e -> e.path().equals("PG_VERSION")).findFirst().orElseThrow();
            byte[] labelBytes = labelFile.getBytes(StandardCharsets.UTF_8);
            long now = Instant.now().toEpochMilli() * 1_000_000L;
            entries.add(new Capture.Entry("backup_label", Node.FILE, 0600, version.uid(), version.gid(), version.user(),
                    version.group(), labelBytes.length, now, null, List.of(store.store(labelBytes)), null));
            int timeline = Integer.parseInt(BaseBackup.parseLabel(labelFile).getOrDefault("START TIMELINE",
                    String.valueOf(facts.timeline())).strip());
            addWal(store, entries, start, stop, timeline, version);
            return new Capture(entries, labelFile, start, timeline, stop, "direct", reused[0], reusedBytes[0], nextXid);
        } catch (SQLException e) {
            throw new PgException("base backup of " + conn.describe() + " failed: " + PgErrors.oneLine(e), e);
        } finally {
            close();
        }
    }

    Path dataDir() {
        return dataDir;
    }

    /** Ends the session; a backup not yet stopped is aborted on the server. */
    @Override
    public void close() {
        if (session == null) {
            return;
        }
        if (!stopped) {
            abort(session);
        }
        try {
            session.close();
        } catch (SQLException ignored) {
            // the server ends the backup with the session anyway
        }
        session = null;
    }

    private void abort(Connection c) {
        try (var st = c.createStatement()) {
            st.execute(facts.major() >= 15 ? "SELECT pg_backup_stop(false)" : "SELECT pg_stop_backup(false, false)");
        } catch (SQLException ignored) {
            // closing the session ends the backup on the server as well
        }
    }

    private void walk(BlockStore store, Map<String, Node> parent, Instant parentStart, List<Capture.Entry> entries,
                      int[] reused, long[] reusedBytes) throws IOException {
        List<Path> paths;
        try (Stream<Path> s = Files.walk(dataDir)) {
            paths = s.filter(p -> !p.equals(dataDir)).sorted().toList();
        }
        Set<String> unloggedForks = unloggedForks(paths);
        for (Path p : paths) {
            String rel = dataDir.relativize(p).toString();
            String name = p.getFileName().toString();
            int slash = rel.indexOf('/');
            String top = slash < 0 ? rel : rel.substring(0, slash);
            if (slash >= 0 && EMPTY_DIRS.contains(top) && !rel.equals("pg_wal/archive_status")) {
                continue;
            }
            if (SKIP_FILES.contains(name) || name.startsWith("pgsql_tmp") || unloggedForks.contains(rel)
                    || rel.startsWith("base/") && TEMP_RELATION.matcher(name).matches()) {
                continue;
            }
            Map<String, Object> a;
            try {
                a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,owner,group", LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException gone) {
                continue; // dropped while we walked; the WAL replays the drop
            }
            int mode = (Integer) a.get("mode");
            int fmt = mode & 0170000;
            long mtime = toNanos((FileTime) a.get("lastModifiedTime"));
            Integer uid = (Integer) a.get("uid");
            Integer gid = (Integer) a.get("gid");
            String user = a.get("owner").toString();
            String group = a.get("group").toString();
            if (fmt == 0040000) {
                entries.add(new Capture.Entry(rel, Node.DIR, mode & 07777, uid, gid, user, group, 0, mtime, null, List.of(), null));
            } else if (fmt == 0120000) {
                if (rel.startsWith("pg_tblspc/")) {
                    throw new PgException("the cluster has tablespaces (" + rel + "); Lifeboat's base backups do not "
                            + "cover them yet");
                }
                String target = Files.readSymbolicLink(p).toString();
                entries.add(new Capture.Entry(rel, Node.SYMLINK, mode & 07777, uid, gid, user, group, 0, mtime, target,
                        List.of(), null));
            } else if (fmt == 0100000) {
                long size = (Long) a.get("size");
                Node old = parent.get(rel);
                if (old != null && old.content() != null && old.sizeOr0() == size && old.mtime() != null
                        && old.mtime() == mtime && mtime < parentStart.getEpochSecond() * 1_000_000_000L
                        + parentStart.getNano() - REUSE_MARGIN_NANOS) {
                    reused[0]++;
                    reusedBytes[0] += size;
                    entries.add(new Capture.Entry(rel, Node.FILE, mode & 07777, uid, gid, user, group, size, mtime, null,
                            null, old.content()));
                    continue;
                }
                List<Future<BlockStore.Stored>> parts = new ArrayList<>();
                int unit = BlockStore.rangeSize();
                for (long off = 0; off < size; off += unit) {
                    parts.add(store.storeRange(p, off, (int) Math.min(unit, size - off)));
                }
                entries.add(new Capture.Entry(rel, Node.FILE, mode & 07777, uid, gid, user, group, size, mtime, null,
                        parts, null));
            }
        }
    }

    /** Unlogged relations are empty after recovery: only their init fork is kept, as pg_basebackup does. */
    private Set<String> unloggedForks(List<Path> paths) {
        Set<String> init = new HashSet<>();
        for (Path p : paths) {
            String rel = dataDir.relativize(p).toString();
            if (rel.startsWith("base/") && rel.endsWith("_init")) {
                init.add(rel.substring(0, rel.length() - "_init".length()));
            }
        }
        Set<String> out = new HashSet<>();
        if (init.isEmpty()) {
            return out;
        }
        for (Path p : paths) {
            String rel = dataDir.relativize(p).toString();
            String base = rel.replaceFirst("(_fsm|_vm)?(\\.\\d+)?$", "");
            if (init.contains(base) && !rel.endsWith("_init")) {
                out.add(rel);
            }
        }
        return out;
    }

    /** The WAL from the backup's start to its stop, from pg_wal (complete: pg_backup_stop switched segments). */
    private void addWal(BlockStore store, List<Capture.Entry> entries, Lsn start, Lsn stop, int timeline, Capture.Entry like)
            throws IOException {
        int seg = facts.segmentSize();
        long first = WalName.segnoOf(start, seg);
        long last = WalName.segnoOf(stop.plus(-1), seg);
        for (long s = first; s <= last; s++) {
            String name = WalName.segment(timeline, s, seg);
            Path f = dataDir.resolve("pg_wal").resolve(name);
            byte[] data;
            try {
                data = dev.lifeboat.util.SlicedIo.readAll(f);
            } catch (NoSuchFileException e) {
                throw new PgException("WAL segment " + name + ", needed to make the base backup consistent, is already "
                        + "gone from " + f.getParent() + " (raise wal_keep_size, or stream WAL with a slot)");
            }
            entries.add(new Capture.Entry("pg_wal/" + name, Node.FILE, 0600, like.uid(), like.gid(), like.user(),
                    like.group(), data.length, Instant.now().toEpochMilli() * 1_000_000L, null, List.of(store.store(data)),
                    null));
        }
    }

    private static long toNanos(FileTime t) {
        Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
