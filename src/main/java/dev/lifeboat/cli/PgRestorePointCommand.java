package dev.lifeboat.cli;

import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.source.postgres.physical.RestorePoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "restore-point", mixinStandardHelpOptions = true,
        description = "Create a named restore point on the server and record it, so 'pg restore --physical --target-name NAME' can recover to it.")
final class PgRestorePointCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Mixin
    PgOptions pg;

    @Parameters(index = "0", paramLabel = "NAME", description = "The restore point's name.")
    String name;
    @Option(names = "--db", required = true, paramLabel = "URL", description = "postgresql://user@host:port/dbname (a superuser, or granted pg_create_restore_point).")
    String db;

    @Override
    public Integer call() throws Exception {
        var conn = pg.conn(db);
        pg.warmUp(conn);
        try (Repository repo = Repos.open(g); Locks.Held lock = Locks.acquire(repo, false, "pg restore-point")) {
            RestorePoints.Point p = RestorePoints.create(repo, conn, name);
            if (g.json) {
                Out.json(p);
            } else if (!g.quiet) {
                Out.line("restore point \"" + p.name() + "\" at " + p.lsn() + " on timeline " + p.timeline() + " (" + p.time() + ")");
            }
        }
        return 0;
    }
}
