package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.source.postgres.PgConn;
import dev.lifeboat.source.postgres.PgErrors;
import dev.lifeboat.source.postgres.PgException;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Receives WAL over the streaming replication protocol through a physical replication slot and
 * stores it in the repository: the bytes received are stored as a piece every flush interval, and
 * only then confirmed to the server, so the slot never lets the server drop WAL that is not stored.
 * Each completed segment is stored whole and its pieces deleted. The server never waits for us (we
 * are not a synchronous standby); if we fall behind, the slot holds WAL on the server instead.
 * A lost connection (server restart, network cut) is retried, resuming at the first byte not stored.
 */
public final class WalStreamer {
    public record Options(PgConn conn, String slot, boolean createSlot, Duration flushInterval) {
    }

    private static final long MAX_BACKOFF_MS = 10_000;

    private final WalArchive archive;
    private final Options opts;
    private final Consumer<String> log;
    private volatile boolean stopping;
    private volatile boolean running;

    private long systemId;
    private int segmentSize;
    private int timeline;
    private byte[] seg;
    private long segno = -1;
    /** Offsets in the current segment: bytes up to received are in seg, up to stored are in the repository. */
    private int received;
    private int stored;
    private long firstUnstoredNanos;
    private final List<WalArchive.Piece> piecesOfSegment = new ArrayList<>();
    private long segmentsStored;

    public WalStreamer(WalArchive archive, Options opts, Consumer<String> log) {
        this.archive = archive;
        this.opts = opts;
        this.log = log;
    }

    /** Asks {@link #run()} to store what it has received and return. */
    public void stop() {
        stopping = true;
    }

    public boolean running() {
        return running;
    }

    /** The end of the WAL stored so far (the position confirmed to the server). */
    public synchronized Lsn storedUpTo() {
        return segno < 0 ? Lsn.ZERO : WalName.startOf(segno, segmentSize).plus(stored);
    }

    /**
     * Streams until {@link #stop()}. Failures before the first successful start (no slot, wrong
     * password, wal_level too low) are thrown; later ones are retried.
     */
    public void run() throws IOException {
        boolean started = false;
        long backoff = 500;
        while (!stopping) {
            try {
                streamOnce(() -> running = true);
                return;
            } catch (SQLException | PgException | IOException e) {
                if (!running && !started) {
                    if (e instanceof SQLException s) {
                        throw new PgException("WAL streaming from " + opts.conn().describe() + " failed: "
                                + PgErrors.oneLine(s), s);
                    }
                    if (e instanceof IOException io) {
                        throw io;
                    }
                    throw (PgException) e;
                }
                started = true;
                running = false;
                if (stopping) {
                    return;
                }
                log.accept("WAL streaming interrupted (" + describe(e) + "); " + storedUpTo() + " is stored; retrying in "
                        + backoff / 1000.0 + " s");
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    private static String describe(Exception e) {
        return e instanceof SQLException s ? PgErrors.oneLine(s) : e.getMessage();
    }

    private void streamOnce(Runnable onStarted) throws SQLException, IOException {
        ServerFacts facts = ServerFacts.probe(opts.conn());
        facts.requireReplicaWal(opts.conn());
        if (systemId != 0 && facts.systemId() != systemId) {
            throw new PgException("the server at " + opts.conn().host() + ":" + opts.conn().port()
                    + " is now a different cluster (system identifier " + facts.systemIdText() + ")");
        }
        systemId = facts.systemId();
        segmentSize = facts.segmentSize();
        Lsn restart = ensureSlot();
        try (Connection rc = opts.conn().connect(Map.of("replication", "true", "assumeMinServerVersion", "10",
                "preferQueryMode", "simple"))) {
            int tli;
            Lsn serverPos;
            try (Statement st = rc.createStatement(); ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
                rs.next();
                tli = rs.getInt(2);
                serverPos = Lsn.parse(rs.getString(3));
            }
            if (tli > 1 && archive.history(systemId, tli).isEmpty()) {
                try (Statement st = rc.createStatement(); ResultSet rs = st.executeQuery("TIMELINE_HISTORY " + tli)) {
                    rs.next();
                    archive.saveHistory(systemId, tli, rs.getBytes(2));
                }
            }
            Lsn start = startPosition(tli, restart != null ? restart : serverPos);
            PGReplicationStream stream = rc.unwrap(PGConnection.class).getReplicationAPI().replicationStream().physical()
                    .withSlotName(opts.slot()).withStartPosition(LogSequenceNumber.valueOf(start.value()))
                    .withStatusInterval(5, TimeUnit.SECONDS).start();
            log.accept("streaming WAL from " + opts.conn().host() + ":" + opts.conn().port() + " slot " + opts.slot()
                    + " at " + start + " on timeline " + tli);
            onStarted.run();
            try {
                while (!stopping) {
                    ByteBuffer b = stream.readPending();
                    if (b == null) {
                        storeIfDue(stream);
                        sleep(5);
                        continue;
                    }
                    int len = b.remaining();
                    long end = stream.getLastReceiveLSN().asLong();
                    accept(end - len, b, stream);
                    storeIfDue(stream);
                }
                storePending(stream);
                stream.close();
            } catch (SQLException | IOException | RuntimeException e) {
                // what arrived is valid WAL the server had flushed: keep it before reconnecting
                try {
                    storePending(null);
                } catch (IOException ignored) {
                    // reported with the original failure
                }
                throw e;
            }
        }
    }

    private Lsn ensureSlot() throws SQLException {
        try (Connection c = opts.conn().connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT slot_type, restart_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, opts.slot());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (!"physical".equals(rs.getString(1))) {
                        throw new PgException("replication slot \"" + opts.slot() + "\" is a " + rs.getString(1)
                                + " slot; WAL streaming needs a physical slot");
                    }
                    return rs.getString(2) == null ? null : Lsn.parse(rs.getString(2));
                }
            }
            if (!opts.createSlot()) {
                throw new PgException("replication slot \"" + opts.slot() + "\" does not exist on " + opts.conn().host()
                        + ":" + opts.conn().port() + " (add --create-slot to create it)");
            }
            try (PreparedStatement cs = c.prepareStatement("SELECT lsn::text FROM pg_create_physical_replication_slot(?, true)")) {
                cs.setString(1, opts.slot());
                try (ResultSet rs = cs.executeQuery()) {
                    rs.next();
                    log.accept("created physical replication slot \"" + opts.slot() + "\"");
                    return rs.getString(1) == null ? null : Lsn.parse(rs.getString(1));
                }
            }
        }
    }

    /**
     * Where to ask the server to start: after what is already stored for this timeline when the
     * server still has it, else at the start of the oldest segment the slot keeps. The current
     * segment's stored part is loaded so the segment can still be stored whole once complete.
     */
    private synchronized Lsn startPosition(int tli, Lsn serverKeeps) throws IOException {
        long keepSeg = WalName.segnoOf(serverKeeps, segmentSize);
        if (tli == timeline && segno >= 0 && segno >= keepSeg) {
            received = stored; // what was received but could not be stored is asked for again
            return storedUpTo();
        }
        timeline = tli;
        seg = seg == null || seg.length != segmentSize ? new byte[segmentSize] : seg;
        WalCoverage cov = new WalCoverage(archive, systemId, segmentSize);
        long last = -1;
        for (String name : cov.segments().keySet()) {
            if (WalName.timelineOf(name) == tli) {
                last = Math.max(last, WalName.segnoOf(name, segmentSize));
            }
        }
        if (last >= 0) {
            String name = WalName.segment(tli, last, segmentSize);
            int prefix = cov.storedPrefix(name);
            long resumeSeg = prefix == segmentSize ? last + 1 : last;
            int resumeOff = prefix == segmentSize ? 0 : prefix;
            if (resumeSeg >= keepSeg) {
                segno = resumeSeg;
                received = resumeOff;
                stored = resumeOff;
                piecesOfSegment.clear();
                if (resumeOff > 0) {
                    byte[] have = cov.assemble(name);
                    System.arraycopy(have, 0, seg, 0, resumeOff);
                    piecesOfSegment.addAll(cov.piecesFor(name));
                }
                return storedUpTo();
            }
            log.accept("warning: WAL from " + WalName.startOf(resumeSeg, segmentSize).plus(resumeOff) + " to "
                    + WalName.startOf(keepSeg, segmentSize) + " is gone from the server and not in the repository; "
                    + "point-in-time recovery cannot cross that gap");
        }
        segno = keepSeg;
        received = 0;
        stored = 0;
        piecesOfSegment.clear();
        return storedUpTo();
    }

    private void accept(long start, ByteBuffer b, PGReplicationStream stream) throws IOException, SQLException {
        long expected = WalName.startOf(segno, segmentSize).value() + received;
        if (start != expected) {
            throw new IOException("the server sent WAL from " + new Lsn(start) + " but " + new Lsn(expected) + " was expected");
        }
        while (b.hasRemaining()) {
            int n = Math.min(b.remaining(), segmentSize - received);
            synchronized (this) {
                b.get(seg, received, n);
                if (received == stored) {
                    firstUnstoredNanos = System.nanoTime();
                }
                received += n;
            }
            if (received == segmentSize) {
                completeSegment(stream);
            }
        }
    }

    private void storeIfDue(PGReplicationStream stream) throws IOException, SQLException {
        if (received > stored && System.nanoTime() - firstUnstoredNanos >= opts.flushInterval().toNanos()) {
            storePending(stream);
        }
    }

    private void storePending(PGReplicationStream stream) throws IOException, SQLException {
        if (received <= stored) {
            return;
        }
        String name = WalName.segment(timeline, segno, segmentSize);
        archive.savePiece(systemId, name, segmentSize, stored, seg, stored, received - stored, Instant.now());
        piecesOfSegment.add(new WalArchive.Piece(systemId, name, stored, received,
                WalArchive.pieceName(systemId, name, stored, received)));
        synchronized (this) {
            stored = received;
        }
        confirm(stream);
    }

    private void completeSegment(PGReplicationStream stream) throws IOException, SQLException {
        String name = WalName.segment(timeline, segno, segmentSize);
        // the whole segment is in memory (streaming starts at a segment's start, or reloads its stored part)
        archive.savePiece(systemId, name, segmentSize, 0, seg, 0, segmentSize, Instant.now());
        for (WalArchive.Piece p : piecesOfSegment) {
            if (!p.complete(segmentSize)) {
                archive.delete(p);
            }
        }
        synchronized (this) {
            stored = segmentSize;
        }
        confirm(stream);
        segmentsStored++;
        synchronized (this) {
            segno++;
            received = 0;
            stored = 0;
            piecesOfSegment.clear();
        }
    }

    private void confirm(PGReplicationStream stream) throws SQLException {
        if (stream == null) {
            return;
        }
        LogSequenceNumber lsn = LogSequenceNumber.valueOf(WalName.startOf(segno, segmentSize).value() + stored);
        stream.setFlushedLSN(lsn);
        stream.setAppliedLSN(lsn);
        stream.forceUpdateStatus();
    }

    public long segmentsStored() {
        return segmentsStored;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
