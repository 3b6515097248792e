package dev.lifeboat.cli;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.source.postgres.DumpInfo;
import dev.lifeboat.source.postgres.physical.BaseInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show what a PostgreSQL snapshot holds: server and pg_dump versions, databases, tables with row counts and sizes; for a physical base backup, its timeline and WAL span.")
final class PgInfoCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;

    @Parameters(index = "0", paramLabel = "SNAPSHOT")
    String snapshot;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = Repos.open(g)) {
            if (!"latest".equals(snapshot)) {
                SnapshotRef ref = dev.lifeboat.repository.Snapshots.find(repo, snapshot);
                if (BaseInfo.KIND.equals(ref.snapshot().kind())) {
                    return physical(ref);
                }
            }
            SnapshotRef snap = DumpInfo.find(repo, snapshot, null);
            DumpInfo info = DumpInfo.of(snap);
            if (g.json) {
                Out.json(info);
                return 0;
            }
            Out.line("snapshot " + snap.shortId() + " of " + info.server() + " (PostgreSQL " + info.serverVersion()
                    + ", " + info.pgDumpVersion() + ")");
            Out.line("server databases: " + String.join(", ", info.serverDatabases()));
            if (!info.options().isEmpty()) {
                Out.line("dump options: " + String.join(" ", info.options()));
            }
            if (info.globals() != null) {
                Out.line("globals: " + info.globals() + (info.rolePasswords() ? " (with role passwords)" : " (without role passwords)"));
            }
            for (DumpInfo.DatabaseDump d : info.databases()) {
                Out.line("database " + d.name() + " (" + d.encoding() + ", " + Sizes.human(d.sizeBytes()) + "):");
                for (DumpInfo.TableDump t : d.tables()) {
                    Out.line(String.format("  %-40s %12d rows %10s", t.qualified(), t.rows(), Sizes.human(t.bytes())));
                }
            }
        }
        return 0;
    }

    /** A physical base backup: where its WAL starts and ends, and what recovery from it needs. */
    private Integer physical(SnapshotRef ref) throws java.io.IOException {
        BaseInfo info = BaseInfo.of(ref);
        if (g.json) {
            Out.json(info);
            return 0;
        }
        Out.line("base backup " + ref.shortId() + " of " + info.server() + " (PostgreSQL " + info.serverVersion()
                + ", system " + info.systemId() + ")");
        Out.line("timeline " + info.timeline() + ", WAL " + info.startLsn() + " to " + info.stopLsn() + " (checkpoint "
                + info.checkpointLsn() + ")");
        Out.line("taken " + info.startTime() + " to " + info.stopTime() + "; consistent from " + info.stopTime());
        Out.line(String.format("%d files, %s", ref.snapshot().summary().totalFiles(),
                Sizes.human(ref.snapshot().summary().totalBytes())));
        Out.line("see 'lifeboat pg wal-check' for the window it recovers into");
        return 0;
    }
}
