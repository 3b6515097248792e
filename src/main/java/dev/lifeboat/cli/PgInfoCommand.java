package dev.lifeboat.cli;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.source.postgres.DumpInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show what a PostgreSQL snapshot holds: server and pg_dump versions, databases, tables with row counts and sizes.")
final class PgInfoCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;

    @Parameters(index = "0", paramLabel = "SNAPSHOT")
    String snapshot;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = Repos.open(g)) {
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
}
