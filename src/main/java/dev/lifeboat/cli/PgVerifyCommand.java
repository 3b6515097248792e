package dev.lifeboat.cli;

import dev.lifeboat.repository.ExitCodes;
import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.source.postgres.DumpInfo;
import dev.lifeboat.source.postgres.PgVerify;
import dev.lifeboat.source.postgres.UserChecks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Prove a PostgreSQL snapshot restores: restore it into a throwaway cluster (or a scratch database",
                "on --scratch-server), then check row counts, constraint and index validity, amcheck, and your own checks.",
                "Exit code 13 when any check fails. The sandbox is always removed."})
final class PgVerifyCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Mixin
    PgOptions pg;

    @Parameters(index = "0", paramLabel = "SNAPSHOT")
    String snapshot;
    @Option(names = "--checks", paramLabel = "FILE", description = "YAML file of checks: name, sql, expect.")
    Path checks;
    @Option(names = "--scratch-server", paramLabel = "URL",
            description = "Restore into a scratch database on this server (created and dropped) instead of a local sandbox cluster.")
    String scratchServer;
    @Option(names = "--source-db", paramLabel = "NAME", description = "Which database of a multi-database (--all) snapshot.")
    String sourceDb;
    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Parallel restore jobs (default: ${DEFAULT-VALUE}).")
    int jobs = 2;

    @Override
    public Integer call() throws Exception {
        UserChecks user = checks == null ? null : UserChecks.load(checks);
        PgVerify.Report r;
        try (Repository repo = Repos.openAndPreload(g); Locks.Held lock = Locks.acquire(repo, false, "pg verify")) {
            SnapshotRef snap = DumpInfo.find(repo, snapshot, sourceDb);
            PgVerify.Options o = new PgVerify.Options(Optional.ofNullable(scratchServer).map(pg::conn), user, sourceDb,
                    jobs, pg.bin(), pg.tmp());
            r = new PgVerify(repo, o, s -> Out.info(g, s)).run(snap);
        }
        if (g.json) {
            Out.json(r);
        } else if (!g.quiet || !r.ok()) {
            Out.line("verify " + r.snapshot().substring(0, 8) + " (" + r.database() + ") in " + r.sandbox());
            for (PgVerify.Check c : r.checks()) {
                Out.line(String.format("  %-4s %-32s %6d ms  %s", c.ok() ? "ok" : "FAIL", c.name(), c.millis(), c.detail()));
            }
            Out.line(String.format("restore %.1f s, total %.1f s: %s", r.restoreMillis() / 1000.0, r.totalMillis() / 1000.0,
                    r.ok() ? "all checks passed" : "CHECKS FAILED"));
        }
        return r.ok() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }
}
