package dev.lifeboat.cli;

import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.source.postgres.physical.PhysicalRestore;
import dev.lifeboat.source.postgres.physical.RecoveryTarget;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code pg restore --physical}: a base backup into a data directory, with recovery to a target. */
final class PgPhysicalRestoreOptions {
    @Option(names = "--physical", required = true, description = "Restore a physical base backup (pg basebackup) into --data-dir.")
    boolean physical;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where to restore the cluster (must be empty unless --delta).")
    Path dataDir;
    @Option(names = "--target-time", paramLabel = "TIME", description = "Recover up to this time (e.g. 2026-11-23T10:15:30Z).")
    String targetTime;
    @Option(names = "--target-lsn", paramLabel = "LSN", description = "Recover up to this WAL position (e.g. 0/3000060).")
    String targetLsn;
    @Option(names = "--target-xid", paramLabel = "XID", description = "Recover up to this transaction's commit.")
    String targetXid;
    @Option(names = "--target-name", paramLabel = "NAME", description = "Recover up to this named restore point (pg restore-point).")
    String targetName;
    @Option(names = "--latest", description = "Recover to the end of the stored WAL (the default).")
    boolean latest;
    @Option(names = "--target-timeline", paramLabel = "N",
            description = "Follow timeline N (default: the newest timeline that descends from the base backup's).")
    Integer timeline;
    @Option(names = "--target-exclusive", description = "Stop just before the target instead of just after it.")
    boolean exclusive;
    @Option(names = "--target-inclusive", description = "Stop just after the target (the default).")
    boolean inclusive;
    @Option(names = "--delta", description = "Restore over an existing data directory, rewriting only files that differ from the backup "
            + "and removing files it does not have.")
    boolean delta;
    @Option(names = "--no-sync", description = "Do not wait for the restored files to reach the disk (faster; a crash of the "
            + "machine right after the restore can then leave the data directory damaged, as with pg_basebackup --no-sync). "
            + "With --start the server syncs the data directory itself before recovery, so Lifeboat does not.")
    boolean noSync;
    @Option(names = "--start", description = "Start the server, wait until recovery reaches the target and the server promotes, report where it got.")
    boolean start;
    @Option(names = "--port", paramLabel = "PORT", description = "Port for the started server (with --start).")
    Integer port;
    @Option(names = "--start-timeout", paramLabel = "SECONDS", description = "Longest wait for recovery with --start (default: ${DEFAULT-VALUE}).")
    long startTimeout = 3600;

    Integer run(GlobalOptions g, PgOptions pg, String snapshot) throws Exception {
        if (dataDir == null) {
            throw new IllegalArgumentException("--physical needs --data-dir DIR: where to restore the cluster");
        }
        if (start && port == null) {
            throw new IllegalArgumentException("--start needs --port PORT");
        }
        if (exclusive && inclusive) {
            throw new IllegalArgumentException("--target-inclusive and --target-exclusive exclude each other");
        }
        RecoveryTarget target = target();
        dev.lifeboat.crypto.Aead.prepareForBulkOpen();
        try (Repository repo = Repos.openAndPreload(g); Locks.Held lock = Locks.acquire(repo, false, "pg restore --physical")) {
            PhysicalRestore.Options o = new PhysicalRestore.Options(snapshot, dataDir, target, delta, start,
                    port == null ? 0 : port, Math.max(2, g.threads), pg.bin(), Duration.ofSeconds(startTimeout), timeline,
                    // a server started on a data directory that was not shut down cleanly syncs it itself before recovery
                    !noSync && !start);
            long t0 = System.nanoTime();
            PhysicalRestore.Result r = new PhysicalRestore(repo, o, s -> Out.info(g, s)).run();
            double secs = (System.nanoTime() - t0) / 1e9;
            if (g.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("snapshot", r.base().ref().id().hex());
                m.put("dataDir", dataDir.toAbsolutePath().toString());
                m.put("files", r.files());
                m.put("bytes", r.bytes());
                m.put("walSegments", r.walSegments());
                m.put("walEnd", r.walEnd().toString());
                m.put("walEndTime", r.walEndTime() == null ? null : r.walEndTime().toString());
                if (r.started() != null) {
                    m.put("port", r.started().port());
                    m.put("lastTransactionTime", r.started().lastTransactionTime());
                    m.put("stoppedAt", r.started().stoppedAt());
                    m.put("redoDoneAt", r.started().redoDoneAt());
                }
                m.put("seconds", secs);
                Out.json(m);
                return 0;
            }
            if (!g.quiet) {
                Out.line(String.format("Restored:    base backup %s (%s), %d files, %s in %.1f s", r.base().ref().shortId(),
                        r.base().info().stopTime(), r.files(), Sizes.human(r.bytes()), secs));
                Out.line("WAL:         " + r.walSegments() + " segments fetched; stored WAL reaches " + r.walEnd()
                        + (r.walEndTime() != null ? " (received " + r.walEndTime() + ")" : ""));
                if (r.started() != null) {
                    PhysicalRestore.Started s = r.started();
                    Out.line("Recovered:   " + (s.stoppedAt() != null ? s.stoppedAt() : "to the end of the WAL"
                            + (s.redoDoneAt() != null ? " (" + s.redoDoneAt() + ")" : "")));
                    Out.line("Last commit: " + (s.lastTransactionTime() != null ? s.lastTransactionTime() : "none replayed"));
                    Out.line("Server:      running on port " + s.port() + ", promoted (log: " + s.log() + ")");
                }
            }
        }
        return 0;
    }

    private RecoveryTarget target() {
        int n = (targetTime != null ? 1 : 0) + (targetLsn != null ? 1 : 0) + (targetXid != null ? 1 : 0)
                + (targetName != null ? 1 : 0) + (latest ? 1 : 0);
        if (n > 1) {
            throw new IllegalArgumentException("give one recovery target: --target-time, --target-lsn, --target-xid, --target-name or --latest");
        }
        boolean incl = !exclusive;
        if (targetTime != null) {
            return new RecoveryTarget(RecoveryTarget.Kind.TIME, targetTime, incl);
        }
        if (targetLsn != null) {
            return new RecoveryTarget(RecoveryTarget.Kind.LSN, targetLsn, incl);
        }
        if (targetXid != null) {
            return new RecoveryTarget(RecoveryTarget.Kind.XID, targetXid, incl);
        }
        if (targetName != null) {
            return new RecoveryTarget(RecoveryTarget.Kind.NAME, targetName, incl);
        }
        if (exclusive) {
            throw new IllegalArgumentException("--target-exclusive needs a target (--target-time, --target-lsn, --target-xid or --target-name)");
        }
        return RecoveryTarget.latest();
    }
}
