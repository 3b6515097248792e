package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryException;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.restore.FileRestorer;
import dev.lifeboat.restore.RestoreProgress;
import dev.lifeboat.source.postgres.cluster.PgBinaries;
import dev.lifeboat.source.postgres.cluster.ServerUser;
import dev.lifeboat.source.postgres.cluster.WorkDirs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Restores a physical base backup into a data directory and sets up recovery to a target: the
 * WAL recovery needs is fetched from the repository in parallel into a directory the server's
 * restore_command reads with a plain {@code cp} (no program start per segment), and, when asked,
 * starts the server, waits until it has reached the target and promoted, and reports where it got.
 */
public final class PhysicalRestore {
    static final String PREFETCH = "pg_wal/lifeboat-restore";

    public record Options(String snapshot, Path dataDir, RecoveryTarget target, boolean delta, boolean start,
                          int port, int threads, Optional<Path> pgBin, Duration startTimeout, Integer timeline,
                          boolean sync) {
    }

    public record Result(BaseInfo.Base base, Lsn walEnd, Instant walEndTime, long files, long bytes, long walSegments,
                         Started started) {
    }

    /** What the started server reports once recovery is over. */
    public record Started(int port, String lastTransactionTime, String stoppedAt, String redoDoneAt, Path log) {
    }

    private final Repository repo;
    private final Options opts;
    private final Consumer<String> progress;

    public PhysicalRestore(Repository repo, Options opts, Consumer<String> progress) {
        this.repo = repo;
        this.opts = opts;
        this.progress = progress;
    }

    /** At most this many WAL segments are fetched while the base backup's files are written. */
    private static final int EARLY_FETCH_SEGMENTS = 2;

    public Result run() throws IOException {
        BaseInfo.Base base = chooseBase();
        BaseInfo info = base.info();
        WalArchive archive = new WalArchive(repo);
        WalCoverage cov = new WalCoverage(archive, info.system(), info.segmentSize());
        List<WalCoverage.Span> path = opts.timeline() == null ? cov.pathFrom(info) : cov.pathTo(info, opts.timeline());
        WalCoverage.Reach reach = cov.reach(info.start(), path);
        Lsn end = reach.end().before(info.stop()) ? info.stop() : reach.end();
        checkTarget(reach, end, info);
        Path data = opts.dataDir().toAbsolutePath().normalize();
        checkDataDir(data);
        ServerUser user = ServerUser.get();
        if (opts.start()) {
            user.checkReachable(data);
        }
        progress.accept("restoring base backup " + base.ref().shortId() + " (" + info.stopTime() + ") into " + data);
        Path prefetch = data.resolve(PREFETCH);
        WorkDirs.delete(prefetch);
        Files.createDirectories(prefetch);
        List<String> segments = segmentsToFetch(cov, path, info, end);
        RecoveryTarget target = opts.target();
        boolean needsAll = target.kind() == RecoveryTarget.Kind.LATEST || target.kind() == RecoveryTarget.Kind.LSN;
        WalPrefetch fetch = new WalPrefetch(cov, archive, info.system(), path, segments, prefetch, user,
                Math.max(2, opts.threads()), opts.start() && !needsAll ? 8 : 0,
                target.kind() == RecoveryTarget.Kind.TIME ? target.time() : null);
        java.util.concurrent.atomic.AtomicReference<IOException> fetchFailed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                fetch.run();
            } catch (IOException e) {
                fetchFailed.set(e);
                progress.accept("fetching WAL failed: " + e.getMessage());
            }
        }, "wal-prefetch");
        t.setDaemon(true);
        boolean handedOver = false;
        // Fetching WAL while the files are written was measured slower for a PITR's dozens of segments
        // (both compete for the disk); the one or two that a restore without --start waits for come
        // sooner beside the files than after them.
        boolean early = !opts.start() && segments.size() <= EARLY_FETCH_SEGMENTS;
        try {
            if (early) {
                t.start();
            }
            FileRestorer.Result files = new FileRestorer(repo, new FileRestorer.Options(data, List.of(), opts.threads(),
                    opts.delta() ? (dest, node) -> unchanged(dest, node, info.blockSize()) : null, opts.sync()),
                    RestoreProgress.NONE).run(base.ref());
            if (opts.delta()) {
                removeExtra(data, base, prefetch);
            }
            Files.createDirectories(data.resolve("pg_wal/archive_status"));
            writeRecoveryConfig(data, prefetch, path.get(path.size() - 1).timeline());
            // chown -R over a directory where the prefetch renames files fails on the ones that moved
            // (the prefetch gives its own files to the server's user): an early fetch ends first,
            // a late one starts after.
            if (early) {
                join(t);
            }
            user.own(data);
            Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            if (!early) {
                t.start();
            }
            if (!opts.start()) {
                join(t);
                if (fetchFailed.get() != null) {
                    throw fetchFailed.get();
                }
                handedOver = true;
                progress.accept("WAL fetched: " + segments.size() + " segments; start the server to recover to "
                        + opts.target() + " (then delete " + prefetch + ")");
                return new Result(base, end, reach.endTime(), files.files(), files.bytes(), fetch.fetched(), null);
            }
            Started started = new ServerStart(data, opts.port(), user, PgBinaries.forMajor(info.serverMajor(), opts.pgBin()),
                    opts.startTimeout(), progress).run();
            fetch.cancel();
            return new Result(base, end, reach.endTime(), files.files(), files.bytes(), fetch.fetched(), started);
        } finally {
            if (!handedOver) {
                fetch.cancel();
                join(t);
                WorkDirs.delete(prefetch);
            }
        }
    }

    private static void join(Thread t) {
        try {
            t.join(3_600_000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private BaseInfo.Base chooseBase() throws IOException {
        if (opts.snapshot() != null && !opts.snapshot().equals("latest")) {
            var ref = Snapshots.find(repo, opts.snapshot());
            return new BaseInfo.Base(ref, BaseInfo.of(ref));
        }
        List<BaseInfo.Base> all = BaseInfo.all(repo);
        if (all.isEmpty()) {
            throw new RepositoryException("the repository has no physical base backup yet (run 'lifeboat pg basebackup')");
        }
        RecoveryTarget t = opts.target();
        BaseInfo.Base best = null;
        for (BaseInfo.Base b : all) {
            if (fits(b.info(), t)) {
                best = b;
            }
        }
        if (best == null) {
            BaseInfo oldest = all.get(0).info();
            throw new RepositoryException("no base backup is old enough for " + t + ": the oldest one ("
                    + all.get(0).ref().shortId() + ") is consistent from " + oldest.stopTime() + " (" + oldest.stopLsn() + ")");
        }
        return best;
    }

    private boolean fits(BaseInfo b, RecoveryTarget t) throws IOException {
        return switch (t.kind()) {
            case LATEST -> true;
            case TIME -> !b.stopTime().isAfter(t.time());
            case LSN -> !Lsn.parse(t.value()).before(b.stop());
            case XID -> b.nextXid() <= Long.parseLong(t.value());
            case NAME -> {
                RestorePoints.Point p = RestorePoints.find(repo, t.value(), b.systemId()).orElseThrow(() ->
                        new RepositoryException("no restore point named \"" + t.value() + "\" is recorded in the repository "
                                + "(create them with 'lifeboat pg restore-point'; or give --target-lsn)"));
                yield !Lsn.parse(p.lsn()).before(b.stop());
            }
        };
    }

    private void checkTarget(WalCoverage.Reach reach, Lsn end, BaseInfo info) throws IOException {
        RecoveryTarget t = opts.target();
        String gap = reach.missing() == null ? "" : "WAL segment " + reach.missing() + " is missing from the repository"
                + (reach.resumesAt() != null ? " (stored WAL resumes at " + reach.resumesAt() + ")" : "") + "; ";
        String reachable = "the latest reachable point is " + end + (reach.endTime() != null ? " (WAL received "
                + reach.endTime() + ")" : "");
        switch (t.kind()) {
            case LATEST -> {
                if (reach.missing() != null) {
                    throw new RepositoryException(gap + reachable + "; restore to it with --target-lsn " + end);
                }
            }
            case LSN -> {
                if (end.before(Lsn.parse(t.value()))) {
                    throw new RepositoryException(gap + "target " + t.value() + " is after the stored WAL: " + reachable);
                }
            }
            case TIME -> {
                if (reach.endTime() != null && reach.endTime().isBefore(t.time()) || reach.endTime() == null
                        && info.stopTime().isBefore(t.time())) {
                    throw new RepositoryException(gap + "target time " + t.value() + " is after the stored WAL: " + reachable);
                }
            }
            default -> {
                if (reach.missing() != null) {
                    progress.accept("warning: " + gap + reachable + "; recovery fails if " + t + " lies beyond it");
                }
            }
        }
    }

    private void checkDataDir(Path data) throws IOException {
        if (!Files.exists(data)) {
            return;
        }
        if (!Files.isDirectory(data)) {
            throw new RepositoryException(data + " is not a directory");
        }
        Path pid = data.resolve("postmaster.pid");
        if (Files.exists(pid)) {
            throw new RepositoryException("a server may be running on " + data + " (postmaster.pid exists); stop it first");
        }
        try (Stream<Path> s = Files.list(data)) {
            if (s.findAny().isPresent() && !opts.delta()) {
                throw new RepositoryException(data + " is not empty; restore into an empty directory, or add --delta "
                        + "to rewrite only the files that differ from the backup");
            }
        }
    }

    /** For a delta restore: a file already holding exactly the backed-up blocks is left alone. */
    private boolean unchanged(Path dest, Node node, int blockSize) {
        try {
            if (!Files.isRegularFile(dest, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.size(dest) != node.sizeOr0()) {
                return false;
            }
            return sameBlocks(dest, node.content(), blockSize);
        } catch (IOException e) {
            return false;
        }
    }

    private boolean sameBlocks(Path file, List<String> content, int blockSize) throws IOException {
        List<String> ids = content == null ? List.of() : content;
        byte[] buf = new byte[blockSize > 0 ? blockSize : BaseBackup.BLOCK];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            for (String id : ids) {
                int n = in.readNBytes(buf, 0, buf.length);
                if (n == 0 || !repo.blobId(buf, 0, n).hex().equals(id)) {
                    return false;
                }
            }
            return in.read() < 0;
        }
    }

    /** For a delta restore: files the backup does not have are removed (the backup is the whole cluster). */
    private void removeExtra(Path data, BaseInfo.Base base, Path prefetch) throws IOException {
        java.util.Set<Path> keep = new java.util.HashSet<>();
        new dev.lifeboat.repository.TreeWalker(repo).walk(base.ref().snapshot().tree(), (p, n) -> {
            keep.add(data.resolve(p.substring(1)));
            return true;
        });
        List<Path> extra = new ArrayList<>();
        try (Stream<Path> s = Files.walk(data)) {
            s.filter(p -> !p.equals(data) && !keep.contains(p) && !p.startsWith(prefetch)).forEach(extra::add);
        }
        extra.sort(java.util.Comparator.reverseOrder());
        for (Path p : extra) {
            Files.deleteIfExists(p);
        }
    }

    private List<String> segmentsToFetch(WalCoverage cov, List<WalCoverage.Span> path, BaseInfo info, Lsn end) {
        long from = WalName.segnoOf(info.start(), info.segmentSize());
        long to = WalName.segnoOf(end, info.segmentSize());
        if (opts.target().kind() == RecoveryTarget.Kind.LSN) {
            to = Math.min(to, WalName.segnoOf(Lsn.parse(opts.target().value()), info.segmentSize()) + 1);
        }
        List<String> out = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            String name = WalName.segment(cov.timelineFor(s, path), s, info.segmentSize());
            if (cov.storedPrefix(name) > 0) {
                out.add(name);
            }
        }
        return out;
    }

    private void writeRecoveryConfig(Path data, Path prefetch, int timeline) throws IOException {
        String dir = prefetch.toString();
        if (dir.contains("\"") || dir.contains("'") || dir.contains("$") || dir.contains("`") || dir.contains("\\")) {
            throw new IllegalArgumentException("the data directory path must not contain quotes, $, ` or \\: " + data);
        }
        // Waits for the file while the prefetch is still running; history files are all written first.
        // A hard link rather than a copy: the server only reads the file, and the segments are not written twice.
        String restore = "d=\"" + dir + "\"; : > \"$d/.want-%f\"; case %f in *.history) m=.histories;; *) m=.done;; esac; "
                + "while [ ! -e \"$d/%f\" ] && [ ! -e \"$d/$m\" ] && [ ! -e \"$d/.failed\" ]; do sleep 0.02; done; "
                + "if [ -e \"$d/%f\" ]; then ln -f \"$d/%f\" \"%p\" 2>/dev/null || exec cp \"$d/%f\" \"%p\"; "
                + "elif [ -e \"$d/.failed\" ]; then exit 200; else exit 1; fi";
        StringBuilder conf = new StringBuilder("\n# added by lifeboat pg restore --physical\n");
        conf.append("restore_command = '").append(restore).append("'\n");
        RecoveryTarget t = opts.target();
        switch (t.kind()) {
            case TIME -> conf.append("recovery_target_time = '").append(t.postgresTime()).append("'\n");
            case LSN -> conf.append("recovery_target_lsn = '").append(t.value()).append("'\n");
            case XID -> conf.append("recovery_target_xid = '").append(t.value()).append("'\n");
            case NAME -> conf.append("recovery_target_name = '").append(t.value().replace("'", "''")).append("'\n");
            case LATEST -> { }
        }
        if (t.kind() != RecoveryTarget.Kind.LATEST) {
            conf.append("recovery_target_inclusive = ").append(t.inclusive() ? "on" : "off").append('\n');
        }
        conf.append("recovery_target_timeline = '").append(timeline).append("'\n");
        conf.append("recovery_target_action = 'promote'\n");
        Files.writeString(data.resolve("postgresql.auto.conf"), conf.toString(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Files.deleteIfExists(data.resolve("standby.signal"));
        Files.writeString(data.resolve("recovery.signal"), "");
    }

    static void moveInto(Path tmp, Path dest) throws IOException {
        Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
