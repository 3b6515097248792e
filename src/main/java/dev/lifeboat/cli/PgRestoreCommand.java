package dev.lifeboat.cli;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.ExitCodes;
import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.source.postgres.DumpInfo;
import dev.lifeboat.source.postgres.PgBackup;
import dev.lifeboat.source.postgres.PgRestore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore a PostgreSQL snapshot into a database: a new one (created; the default), an existing one",
                "with --replace (a safety snapshot of it is taken first), or selected tables with --table.",
                "Refuses to restore over a database that is not empty unless told to."})
final class PgRestoreCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Mixin
    PgOptions pg;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SNAPSHOT",
            description = "Snapshot id prefix, or latest (with --physical: default, the newest base backup before the target).")
    String snapshot;
    @Option(names = "--db", paramLabel = "URL", description = "The database to restore into (logical snapshots).")
    String db;
    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "%nPhysical restore and point-in-time recovery:%n")
    PgPhysicalRestoreOptions physical;
    @Option(names = "--source-db", paramLabel = "NAME",
            description = "Which database of a multi-database (--all) snapshot; with \"latest\", the newest snapshot holding it.")
    String sourceDb;
    @Option(names = "--replace", description = "Replace an existing database: take a safety snapshot, drop it (closing its connections), recreate it.")
    boolean replace;
    @Option(names = {"-t", "--table"}, paramLabel = "PATTERN",
            description = "Only tables matching PATTERN (glob on schema.table, or on the name), into the existing database; rows of existing tables are replaced in one transaction. Repeatable.")
    List<String> tables = new ArrayList<>();
    @Option(names = {"-O", "--no-owner"}, description = "Do not restore ownership: objects belong to the connecting user.")
    boolean noOwner;
    @Option(names = {"-x", "--no-privileges"}, description = "Do not restore GRANTs.")
    boolean noPrivileges;
    @Option(names = {"-n", "--schema"}, paramLabel = "NAME", description = "Only this schema (created too) and what is in it; repeatable.")
    List<String> schemas = new ArrayList<>();
    @Option(names = {"-N", "--exclude-schema"}, paramLabel = "NAME", description = "Leave this schema alone (e.g. one the hosting platform manages): not restored, and its tables do not make the target count as not empty; repeatable.")
    List<String> excludeSchemas = new ArrayList<>();
    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Parallel restore jobs (default: ${DEFAULT-VALUE}).")
    int jobs = 2;

    @Override
    public Integer call() throws Exception {
        if (physical != null && physical.physical) {
            return physical.run(g, pg, snapshot);
        }
        if (physical != null) {
            throw new IllegalArgumentException("--data-dir and the --target options need --physical");
        }
        if (snapshot == null) {
            throw new IllegalArgumentException("which snapshot? give its id, or latest");
        }
        if (db == null) {
            throw new IllegalArgumentException("--db is required: the database to restore into");
        }
        if (replace && !tables.isEmpty()) {
            throw new IllegalArgumentException("--replace and --table exclude each other (--table replaces only the tables named)");
        }
        if (jobs < 1 || jobs > 64) {
            throw new IllegalArgumentException("--jobs must be between 1 and 64");
        }
        pg.warmUp(pg.conn(db));
        try (Repository repo = Repos.openAndPreload(g); Locks.Held lock = Locks.acquire(repo, false, "pg restore")) {
            SnapshotRef snap = DumpInfo.find(repo, snapshot, sourceDb);
            PgRestore.SafetySnapshot safety = conn -> {
                PgBackup.Options o = new PgBackup.Options(conn, false, false, List.of(), jobs,
                        List.of("safety", "before-restore-" + snap.shortId()), null, pg.bin(), pg.tmp(), false, 1, 512L << 20);
                BlobId id = new PgBackup(repo, o, null).run().id();
                Out.warn("safety snapshot " + id.shortHex() + " holds " + conn.dbname() + " as it was before this restore");
                return id;
            };
            PgRestore.Options o = new PgRestore.Options(pg.conn(db), sourceDb, replace, tables, noOwner, noPrivileges,
                    schemas, excludeSchemas, jobs, pg.bin(), pg.tmp(), safety);
            PgRestore.Result r = new PgRestore(repo, o, s -> Out.info(g, s)).run(snap);
            if (g.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("snapshot", snap.id().hex());
                m.put("database", r.database());
                m.put("created", r.created());
                m.put("safety_snapshot", r.safetySnapshot() == null ? null : r.safetySnapshot().hex());
                m.put("tables", r.tablesRestored());
                m.put("seconds", r.elapsed().toMillis() / 1000.0);
                m.put("notes", r.notes());
                Out.json(m);
            } else if (!g.quiet) {
                Out.line(String.format("restored snapshot %s into %s: %d tables in %.1f s%s", snap.shortId(), r.database(),
                        r.tablesRestored(), r.elapsed().toMillis() / 1000.0, r.created() ? " (database created)" : ""));
                for (String n : r.notes()) {
                    Out.line("note: " + n);
                }
            }
        }
        return ExitCodes.OK;
    }
}
