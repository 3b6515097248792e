package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.source.postgres.PgException;
import dev.lifeboat.util.Workers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * archive_command support that does not make the server's archiver wait on the repository: a
 * long-lived pusher (one per spool directory) stores every segment the server has marked ready,
 * ahead of the archiver's calls, and leaves a {@code NAME.ok} marker once the segment is durably
 * stored. The archive_command itself only waits for its marker, so it usually returns at once,
 * and it never reports success before the segment is stored.
 */
public final class ArchivePush {
    private static final String LOCK = "pusher.lock";

    private ArchivePush() {
    }

    /** The archive_command side: waits until the pusher has stored {@code walFile}, starting one when none runs. */
    public static void await(Path walFile, Path spoolBase, Duration timeout, Runnable startPusher) throws IOException {
        String name = walFile.getFileName().toString();
        if (!Files.isRegularFile(walFile)) {
            throw new PgException("archive-push: " + walFile + " does not exist");
        }
        Path spool = spoolFor(spoolBase, walFile.getParent());
        Files.createDirectories(spool);
        Path ok = spool.resolve(name + ".ok");
        Path err = spool.resolve(name + ".error");
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextStart = 0;
        while (true) {
            if (Files.exists(ok)) {
                Files.deleteIfExists(ok);
                return;
            }
            if (Files.exists(err)) {
                String msg = Files.readString(err).strip();
                Files.deleteIfExists(err);
                throw new PgException("archive-push of " + name + " failed: " + msg);
            }
            if (System.nanoTime() >= nextStart && !pusherRunning(spool)) {
                startPusher.run();
                nextStart = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            }
            if (System.nanoTime() > deadline) {
                throw new PgException("archive-push: " + name + " was not stored within " + timeout.toSeconds()
                        + " s (see " + spoolBase.resolve("pusher.log") + "); the server will retry");
            }
            sleep(20);
        }
    }

    /**
     * A spool per cluster: markers name segments, and another cluster (a re-initialized one, say)
     * has segments of the same names, which a stale marker must never acknowledge.
     */
    static Path spoolFor(Path base, Path walDir) throws IOException {
        return base.resolve(Long.toUnsignedString(systemId(walDir.resolveSibling("global").resolve("pg_control"))));
    }

    static boolean pusherRunning(Path spool) throws IOException {
        try (FileChannel ch = FileChannel.open(spool.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        }
    }

    /**
     * The pusher: stores every segment and history file marked ready in {@code walDir} until none
     * has come for {@code idle}. Returns at once if another pusher holds the spool.
     */
    public static void runPusher(Repository repo, Path walDir, Path spoolBase, Duration idle, int threads,
                                 Consumer<String> log) throws IOException {
        Path spool = spoolFor(spoolBase, walDir);
        Files.createDirectories(spool);
        try (FileChannel ch = FileChannel.open(spool.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return;
            }
            long systemId = Long.parseUnsignedLong(spool.getFileName().toString());
            WalArchive archive = new WalArchive(repo);
            long lastWork = System.nanoTime();
            while (System.nanoTime() - lastWork < idle.toNanos()) {
                List<String> ready = ready(walDir, spool);
                if (ready.isEmpty()) {
                    sleep(100);
                    continue;
                }
                ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>(ready);
                Workers.runAll(threads, "archive-push", () -> {
                    for (String n; (n = queue.poll()) != null; ) {
                        try {
                            store(archive, systemId, walDir.resolve(n), n);
                            Files.writeString(spool.resolve(n + ".ok"), "");
                            log.accept(Instant.now() + " stored " + n);
                        } catch (IOException | RuntimeException e) {
                            log.accept(Instant.now() + " failed " + n + ": " + e.getMessage());
                            try {
                                Files.writeString(spool.resolve(n + ".error"), String.valueOf(e.getMessage()));
                            } catch (IOException ignored) {
                                // the archive_command times out and the server retries
                            }
                        }
                    }
                });
                lastWork = System.nanoTime();
            }
        }
    }

    private static List<String> ready(Path walDir, Path spool) throws IOException {
        List<String> out = new ArrayList<>();
        Path status = walDir.resolve("archive_status");
        if (!Files.isDirectory(status)) {
            return out;
        }
        try (Stream<Path> s = Files.list(status)) {
            for (Path p : s.toList()) {
                String f = p.getFileName().toString();
                if (f.endsWith(".ready")) {
                    String n = f.substring(0, f.length() - ".ready".length());
                    if (!Files.exists(spool.resolve(n + ".ok")) && !Files.exists(spool.resolve(n + ".error"))) {
                        out.add(n);
                    }
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** Stores one WAL file; a segment stored before must be byte-identical (a retry), else it is refused. */
    static void store(WalArchive archive, long systemId, Path file, String name) throws IOException {
        if (WalName.isHistory(name)) {
            archive.saveHistory(systemId, WalName.timelineOf(name), Files.readAllBytes(file));
            return;
        }
        if (!WalName.isSegment(name)) {
            return; // .partial and .backup files: nothing recovery needs from the archive
        }
        byte[] data = dev.lifeboat.util.SlicedIo.readAll(file);
        int segSize = data.length;
        String object = WalArchive.pieceName(systemId, name, 0, segSize);
        if (archive.exists(object)) {
            WalArchive.Piece p = new WalArchive.Piece(systemId, name, 0, segSize, object);
            if (!Arrays.equals(archive.load(p).data(), data)) {
                throw new IOException("the repository already holds a different " + name + " for this cluster");
            }
            return;
        }
        archive.savePiece(systemId, name, segSize, 0, data, 0, data.length, Instant.now());
    }

    static long systemId(Path pgControl) throws IOException {
        byte[] head = new byte[8];
        try (var in = Files.newInputStream(pgControl)) {
            if (in.readNBytes(head, 0, 8) != 8) {
                throw new IOException(pgControl + " is too short");
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PgException("archive-push: " + pgControl + " not found; run it from the data directory (as the "
                    + "server's archive_command does) with a path like pg_wal/%f");
        }
        return ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
