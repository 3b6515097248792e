package dev.lifeboat.cli;

import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.source.postgres.DumpInfo;
import dev.lifeboat.source.postgres.PgExtract;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "extract", mixinStandardHelpOptions = true,
        description = {"Write a PostgreSQL snapshot in a standard format, to restore without Lifeboat:",
                "--dir gives a pg_dump directory-format dump for pg_restore, --sql a plain SQL script for psql."})
final class PgExtractCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Mixin
    PgOptions pg;

    @Parameters(index = "0", paramLabel = "SNAPSHOT")
    String snapshot;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--dir", paramLabel = "DIR", description = "Directory-format dump into DIR (new or empty).")
        Path dir;
        @Option(names = "--sql", paramLabel = "FILE", description = "Plain SQL script into FILE (- for standard output).")
        String sql;
    }

    @Option(names = "--source-db", paramLabel = "NAME", description = "Which database of a multi-database (--all) snapshot.")
    String sourceDb;
    @Option(names = {"-O", "--no-owner"}, description = "With --sql: leave out ownership.")
    boolean noOwner;
    @Option(names = {"-x", "--no-privileges"}, description = "With --sql: leave out GRANTs.")
    boolean noPrivileges;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = Repos.openAndPreload(g); Locks.Held lock = Locks.acquire(repo, false, "pg extract")) {
            SnapshotRef snap = DumpInfo.find(repo, snapshot, sourceDb);
            PgExtract x = new PgExtract(repo);
            if (target.dir != null) {
                for (String w : x.toDirectory(snap, sourceDb, target.dir)) {
                    Out.info(g, "wrote " + w);
                }
                Out.info(g, "restore with: pg_restore --dbname=URL --jobs=4 " + target.dir);
            } else {
                List<String> opts = new ArrayList<>();
                if (noOwner) {
                    opts.add("--no-owner");
                }
                if (noPrivileges) {
                    opts.add("--no-privileges");
                }
                x.toSql(snap, sourceDb, target.sql, opts, pg.bin(), pg.tmp());
                if (!"-".equals(target.sql)) {
                    Out.info(g, "wrote " + target.sql + "; restore with: psql --dbname=URL -v ON_ERROR_STOP=1 -f " + target.sql);
                }
            }
        }
        return 0;
    }
}
