package dev.lifeboat.cli;

import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.source.postgres.physical.BaseBackup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "basebackup", mixinStandardHelpOptions = true,
        description = {"Take a physical base backup of the whole cluster (pg_basebackup's stream, with the WAL that makes it consistent).",
                "Files are stored in page-aligned 256 KiB blocks, so the next base backup stores only the blocks that changed.",
                "Needs a user with the REPLICATION attribute and wal_level=replica."})
final class PgBasebackupCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Mixin
    PgOptions pg;

    @Option(names = "--db", required = true, paramLabel = "URL", description = "postgresql://user@host:port/dbname of any database of the cluster.")
    String db;
    // Level 3, not 1: fixed blocks compress with less context than whole files, and level 1 left full
    // and incremental backups a few per cent larger than pgBackRest's zst; the time was there to spend.
    @Option(names = "--compression", paramLabel = "LEVEL", description = "zstd level (default: ${DEFAULT-VALUE}).")
    int compression = 3;
    @Option(names = "--method", paramLabel = "METHOD",
            description = "direct: read the data directory (on the database host; unchanged files are not read again), "
                    + "stream: pg_basebackup over the replication protocol (any host), auto: direct when the data directory "
                    + "is here and readable (default: ${DEFAULT-VALUE}).")
    String method = "auto";
    @Option(names = "--tag", split = ",", description = "Tag the snapshot (repeatable, or comma-separated).")
    List<String> tags = new ArrayList<>();
    @Option(names = "--host", description = "Host name to record (default: this machine's).")
    String host;

    private BaseBackup.Method method() {
        return switch (method) {
            case "auto" -> BaseBackup.Method.AUTO;
            case "direct" -> BaseBackup.Method.DIRECT;
            case "stream" -> BaseBackup.Method.STREAM;
            default -> throw new IllegalArgumentException("--method must be auto, direct or stream");
        };
    }

    @Override
    public Integer call() throws Exception {
        if (compression < 1 || compression > 19) {
            throw new IllegalArgumentException("--compression must be a zstd level from 1 to 19");
        }
        var conn = pg.conn(db);
        BaseBackup.Options options = new BaseBackup.Options(conn, tags, host, pg.bin(), compression, Math.max(1, g.threads),
                method());
        // The server's checkpoint runs while the passphrase is stretched: neither needs the other.
        java.util.concurrent.CompletableFuture<BaseBackup.Begun> begun =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> BaseBackup.begin(options));
        BaseBackup.Result r;
        try (Repository repo = Repos.openAndPreload(g); Locks.Held lock = Locks.acquire(repo, false, "pg basebackup");
             BaseBackup.Begun b = join(begun)) {
            r = new BaseBackup(repo, options, s -> Out.info(g, s)).run(b);
        } finally {
            begun.thenAccept(BaseBackup.Begun::close); // aborts the server-side backup if the repository failed to open
        }
        report(r);
        return 0;
    }

    private void report(BaseBackup.Result r) {
        Snapshot.Summary s = r.snapshot().summary();
        if (g.json) {
            Out.snapshotJson(r.id(), s, "pgbase", r.info());
        } else if (!g.quiet) {
            Duration took = Duration.between(s.start(), s.end());
            Out.line(String.format("Cluster:     PostgreSQL %s, system %s, timeline %d, WAL %s to %s",
                    r.info().serverVersion(), r.info().systemId(), r.info().timeline(), r.info().startLsn(), r.info().stopLsn()));
            Out.line(String.format("Backup:      %d files (%d unchanged, not read), %s read (%s) in %.1f s, %s stored",
                    s.totalFiles(), r.filesReused(), Sizes.human(s.bytesProcessed()), r.method(), took.toMillis() / 1000.0,
                    Sizes.human(s.bytesAdded())));
            Out.line("snapshot " + r.id().shortHex() + " saved");
        }
    }

    private static BaseBackup.Begun join(java.util.concurrent.CompletableFuture<BaseBackup.Begun> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }
}
