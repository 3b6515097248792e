package dev.lifeboat.cli;

import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.source.postgres.DumpInfo;
import dev.lifeboat.source.postgres.PgBackup;
import dev.lifeboat.source.postgres.PgConn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Back up a PostgreSQL database (or, with --all, every database and the roles) into a new snapshot.",
                "Each table is stored as its own stream while pg_dump writes it, so unchanged tables are stored once.",
                "Row counts are taken in the dump's own transaction snapshot and checked against the dump."})
final class PgBackupCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Mixin
    PgOptions pg;

    @Option(names = "--db", required = true, paramLabel = "URL",
            description = "postgresql://user@host:port/dbname or a libpq \"host=... dbname=...\" string (with --all: any database of the server).")
    String db;
    @Option(names = "--all", description = "Every database of the server, plus roles and tablespaces (pg_dumpall --globals-only).")
    boolean all;
    @Option(names = "--role-passwords", description = "With --all: include role password hashes (left out by default).")
    boolean rolePasswords;
    @Option(names = "--schema-only", description = "Definitions only, no data.")
    boolean schemaOnly;
    @Option(names = "--data-only", description = "Data only, no definitions.")
    boolean dataOnly;
    @Option(names = {"-t", "--table"}, paramLabel = "PATTERN", description = "Only tables matching PATTERN (pg_dump pattern, e.g. 'public.order*'); repeatable.")
    List<String> tables = new ArrayList<>();
    @Option(names = {"-T", "--exclude-table"}, paramLabel = "PATTERN", description = "Skip tables matching PATTERN (e.g. 'temp_*'); repeatable.")
    List<String> excludeTables = new ArrayList<>();
    @Option(names = {"-n", "--schema"}, paramLabel = "PATTERN", description = "Only schemas matching PATTERN; repeatable.")
    List<String> schemas = new ArrayList<>();
    @Option(names = {"-N", "--exclude-schema"}, paramLabel = "PATTERN", description = "Skip schemas matching PATTERN; repeatable.")
    List<String> excludeSchemas = new ArrayList<>();
    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Tables dumped in parallel (default: ${DEFAULT-VALUE}).")
    int jobs = 2;
    @Option(names = "--sql-row-counts",
            description = "Also count every table's rows with SQL in the dump's snapshot and fail if the dump holds a different number "
                    + "(a cross-check of pg_dump; reads each table twice). The counts recorded are the dump's own, exact for that snapshot, either way.")
    boolean sqlRowCounts;
    @Option(names = "--compression", paramLabel = "LEVEL",
            description = "zstd level for this backup (default: ${DEFAULT-VALUE}: on dumps it measured both faster and smaller than 3).")
    int compression = 1;
    @Option(names = "--temp-limit", paramLabel = "SIZE", defaultValue = "512M",
            description = "Most temporary space for dump data not yet stored; pg_dump is paused beyond it (default: ${DEFAULT-VALUE}).")
    String tempLimit;
    @Option(names = "--tag", split = ",", description = "Tag the snapshot (repeatable, or comma-separated).")
    List<String> tags = new ArrayList<>();
    @Option(names = "--host", description = "Host name to record (default: this machine's).")
    String host;

    @Override
    public Integer call() throws Exception {
        if (schemaOnly && dataOnly) {
            throw new IllegalArgumentException("--schema-only and --data-only exclude each other");
        }
        if (rolePasswords && !all) {
            throw new IllegalArgumentException("--role-passwords needs --all (roles are only backed up with --all)");
        }
        if (compression < 1 || compression > 19) {
            throw new IllegalArgumentException("--compression must be a zstd level from 1 to 19");
        }
        if (jobs < 1 || jobs > 64) {
            throw new IllegalArgumentException("--jobs must be between 1 and 64");
        }
        PgConn conn = pg.conn(db);
        List<String> selection = new ArrayList<>();
        if (schemaOnly) {
            selection.add("--schema-only");
        }
        if (dataOnly) {
            selection.add("--data-only");
        }
        tables.forEach(t -> selection.add("--table=" + t));
        excludeTables.forEach(t -> selection.add("--exclude-table=" + t));
        schemas.forEach(t -> selection.add("--schema=" + t));
        excludeSchemas.forEach(t -> selection.add("--exclude-schema=" + t));
        pg.warmUp(conn);
        try (Repository repo = Repos.openAndPreload(g); Locks.Held lock = Locks.acquire(repo, false, "pg backup")) {
            PgBackup.Options o = new PgBackup.Options(conn, all, rolePasswords, selection, jobs, tags, host, pg.bin(), pg.tmp(),
                    sqlRowCounts, compression, Sizes.parse(tempLimit, "--temp-limit"));
            PgBackup.Result r = new PgBackup(repo, o, s -> Out.info(g, s)).run();
            report(r);
        }
        return 0;
    }

    private void report(PgBackup.Result r) {
        Snapshot.Summary s = r.snapshot().summary();
        if (g.json) {
            Out.snapshotJson(r.id(), s, "postgres", r.info());
            return;
        }
        if (g.quiet) {
            return;
        }
        for (DumpInfo.DatabaseDump d : r.info().databases()) {
            long rows = d.tables().stream().mapToLong(DumpInfo.TableDump::rows).sum();
            Out.line(String.format("Database:    %s: %d tables, %d rows", d.name(), d.tables().size(), rows));
        }
        Duration took = Duration.between(s.start(), s.end());
        Out.line(String.format("Dump:        %s from PostgreSQL %s in %.1f s, %s stored", Sizes.human(s.bytesProcessed()),
                r.info().serverVersion(), took.toMillis() / 1000.0, Sizes.human(s.bytesAdded())));
        Out.line("snapshot " + r.id().shortHex() + " saved");
    }
}
