package dev.lifeboat.source.postgres;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.source.postgres.DumpInfo.DatabaseDump;
import dev.lifeboat.source.postgres.DumpInfo.TableDump;
import dev.lifeboat.util.Workers;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * {@code lifeboat pg restore}: a database from a snapshot into a new database (the default), over
 * an existing one ({@code --replace}, after a safety snapshot), or selected tables into an
 * existing database. A whole database is restored by {@link DatabaseRestore}, selected tables by
 * {@link TableRestore}.
 */
public final class PgRestore {

    /** @param safety takes the safety snapshot of the database about to be replaced; returns its id */
    public record Options(PgConn target, String sourceDb, boolean replace, List<String> tables, boolean noOwner,
                          boolean noPrivileges, List<String> schemas, List<String> excludeSchemas, int jobs,
                          Optional<Path> pgBin, Path tmpDir, SafetySnapshot safety) {
    }

    public interface SafetySnapshot {
        BlobId take(PgConn db) throws IOException;
    }

    public record Result(String database, boolean created, BlobId safetySnapshot, int tablesRestored,
                         List<String> notes, Duration elapsed) {
    }

    private final Repository repo;
    private final Options opts;
    private final Consumer<String> progress;

    public PgRestore(Repository repo, Options opts, Consumer<String> progress) {
        this.repo = repo;
        this.opts = opts;
        this.progress = progress == null ? s -> { } : progress;
    }

    public Result run(SnapshotRef snap) throws IOException {
        Instant start = Instant.now();
        DumpInfo info = DumpInfo.of(snap);
        DatabaseDump db = info.database(opts.sourceDb);
        String target = opts.target.dbname();
        // Connected to the database being replaced, it could not be dropped.
        PgConn admin = opts.target.withDatabase(target.equals("postgres") ? "template1" : "postgres");
        // The server is asked while the index and the snapshot's tree load.
        java.util.concurrent.FutureTask<TargetServer> asked = new java.util.concurrent.FutureTask<>(() -> TargetServer.ask(admin, target));
        Workers.startDaemon("pg-target", asked);
        repo.loadIndex();
        Tree dump = DumpFiles.treeOf(repo, snap.snapshot().tree(), db.dir());
        TargetServer server = Workers.await(asked);
        int targetMajor = server.major();
        boolean exists = server.exists();
        Path pgRestore = PgTool.find("pg_restore", Math.max(info.serverMajor(), targetMajor), opts.pgBin);
        List<String> notes = new ArrayList<>();
        if (!opts.tables.isEmpty()) {
            if (!exists) {
                throw new PgException("database " + target + " does not exist; --table restores tables into an existing database");
            }
            Path psql = PgTool.find("psql", Math.max(info.serverMajor(), targetMajor), opts.pgBin);
            int n = new TableRestore(repo, opts, dump, db, pgRestore, psql).run(notes);
            return new Result(target, false, null, n, notes, Duration.between(start, Instant.now()));
        }
        try (DatabaseRestore restore = new DatabaseRestore(repo, opts, pgRestore, db, progress)) {
            // The dump is laid out while the target database is made (and the safety snapshot taken).
            java.util.concurrent.FutureTask<Void> prepared = new java.util.concurrent.FutureTask<>(() -> {
                restore.prepare(dump);
                return null;
            });
            Workers.startDaemon("pg-prepare", prepared);
            BlobId safety;
            try {
                safety = makeTarget(exists, admin, targetMajor, db, notes);
            } catch (IOException | RuntimeException e) {
                try {
                    Workers.await(prepared); // before the work directory can go
                } catch (IOException | RuntimeException also) {
                    e.addSuppressed(also);
                }
                throw e;
            }
            Workers.await(prepared);
            int tables;
            try {
                tables = restore.load();
            } catch (PgException e) {
                String back = safety != null ? "; the previous contents are in safety snapshot " + safety.shortHex()
                        + " (lifeboat pg restore " + safety.shortHex() + " --db ... --replace)" : "";
                throw new PgException(e.getMessage() + back, e);
            }
            analyze(opts.target, opts.jobs, restore.analyzed());
            addNotes(info, notes);
            return new Result(target, !exists || opts.replace, safety, tables, notes, Duration.between(start, Instant.now()));
        }
    }

    /**
     * Creates the target database, or checks that the existing one is empty, or takes the safety
     * snapshot of the one to replace and recreates it; returns that snapshot's id, or null.
     */
    private BlobId makeTarget(boolean exists, PgConn admin, int targetMajor, DatabaseDump db, List<String> notes) throws IOException {
        String target = opts.target.dbname();
        if (!exists) {
            createDatabase(admin, target, db, notes);
            return null;
        }
        if (!opts.replace) {
            long relations = userRelations(opts.target, opts.excludeSchemas);
            if (relations > 0) {
                throw new PgException("database " + target + " exists and is not empty (" + relations
                        + " relations); use --replace to replace it (a safety snapshot is taken first), "
                        + "--table to restore selected tables, or name a new database");
            }
            return null;
        }
        progress.accept("taking a safety snapshot of " + target + " before replacing it");
        BlobId safety = opts.safety.take(opts.target);
        dropDatabase(admin, target, targetMajor);
        createDatabase(admin, target, db, notes);
        return safety;
    }

    private void addNotes(DumpInfo info, List<String> notes) {
        if (!opts.noOwner) {
            notes.add("objects keep their original owners; roles are not part of a single-database backup and must exist on the target (or use --no-owner)");
        }
        if (info.globals() != null && !info.rolePasswords()) {
            notes.add("role passwords are not in this backup (taken without --role-passwords): set them with ALTER ROLE ... PASSWORD");
        }
        if (info.options().contains("--data-only")) {
            notes.add("this snapshot holds data only: the tables had to exist already");
        }
    }

    /** The target server's major version, and whether the database to restore into exists. */
    private record TargetServer(int major, boolean exists) {
        static TargetServer ask(PgConn admin, String target) {
            try (Connection c = connectAdmin(admin)) {
                return new TargetServer(Integer.parseInt(DatabaseDumper.query1(c, "SELECT current_setting('server_version_num')")) / 10000,
                        PgRestore.exists(c, target));
            } catch (SQLException e) {
                throw new PgException("cannot query " + admin.describe() + ": " + PgErrors.oneLine(e), e);
            }
        }
    }

    static List<String> commonArgs(Options o) {
        List<String> args = ownerArgs(o);
        args.addAll(schemaArgs(o));
        return args;
    }

    static List<String> ownerArgs(Options o) {
        List<String> args = new ArrayList<>();
        if (o.noOwner) {
            args.add("--no-owner");
        }
        if (o.noPrivileges) {
            args.add("--no-privileges");
        }
        return args;
    }

    static List<String> schemaArgs(Options o) {
        List<String> args = new ArrayList<>();
        for (String s : o.schemas) {
            args.add("--schema=" + s);
        }
        for (String s : o.excludeSchemas) {
            args.add("--exclude-schema=" + s);
        }
        return args;
    }

    static Connection connectAdmin(PgConn admin) {
        try {
            return admin.connect();
        } catch (PgException e) {
            if (e.getMessage().contains("does not exist")) {
                return admin.withDatabase("template1").connect();
            }
            throw e;
        }
    }

    private static boolean exists(Connection c, String db) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Relations outside the system schemas and the {@code ignored} ones (those the restore leaves alone). */
    static long userRelations(PgConn db, List<String> ignored) {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p','v','m','S','f') "
                + "AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
                + "AND n.nspname NOT LIKE 'pg\\_temp%' AND NOT n.nspname = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", ignored.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new PgException("cannot inspect " + db.describe() + ": " + PgErrors.oneLine(e), e);
        }
    }

    private static void dropDatabase(PgConn admin, String name, int major) {
        try (Connection c = connectAdmin(admin); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE " + ident(name) + (major >= 13 ? " WITH (FORCE)" : ""));
        } catch (SQLException e) {
            throw new PgException("cannot drop database " + name + ": " + PgErrors.oneLine(e), e);
        }
    }

    /** Creates the database like the source: same encoding, and the same locale where the target server has it. */
    static void createDatabase(PgConn admin, String name, DatabaseDump db, List<String> notes) {
        try (Connection c = connectAdmin(admin); Statement s = c.createStatement()) {
            String base = "CREATE DATABASE " + ident(name) + " TEMPLATE template0 ENCODING " + literal(db.encoding());
            try {
                s.execute(base + " LC_COLLATE " + literal(db.collate()) + " LC_CTYPE " + literal(db.ctype()));
            } catch (SQLException e) {
                if (!String.valueOf(e.getMessage()).contains("locale") && !String.valueOf(e.getMessage()).contains("collation")) {
                    throw e;
                }
                s.execute(base);
                notes.add("the source's locale " + db.collate() + " is not available on the target; the database uses the server's default");
            }
        } catch (SQLException e) {
            throw new PgException("cannot create database " + name + ": " + PgErrors.oneLine(e), e);
        }
    }

    /**
     * ANALYZE, table by table, largest first, on {@code jobs} connections: fresh statistics before the
     * first query. Tables ANALYZEd as they were loaded are skipped, unless they have an expression
     * index: its statistics are gathered only once the index exists.
     */
    private static void analyze(PgConn db, int jobs, Set<String> done) {
        List<String> tables = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT format('%I.%I', n.nspname, c.relname), EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid "
                        + "AND i.indexprs IS NOT NULL) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE c.relkind IN ('r','m','p') AND n.nspname NOT IN ('pg_catalog','information_schema') "
                        + "AND n.nspname NOT LIKE 'pg\\_toast%' ORDER BY c.relpages DESC")) {
            while (rs.next()) {
                if (!done.contains(rs.getString(1)) || rs.getBoolean(2)) {
                    tables.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new PgException("restored, but cannot list tables to ANALYZE in " + db.dbname() + ": " + PgErrors.oneLine(e), e);
        }
        java.util.concurrent.ConcurrentLinkedQueue<String> queue = new java.util.concurrent.ConcurrentLinkedQueue<>(tables);
        java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            dev.lifeboat.util.Workers.runAll(Math.min(jobs, tables.size()), "analyze", () -> {
                try (Connection c = db.connect(); Statement s = c.createStatement()) {
                    for (String table; (table = queue.poll()) != null; ) {
                        s.execute("ANALYZE " + table);
                    }
                } catch (SQLException e) {
                    failure.compareAndSet(null, new PgException("restored, but ANALYZE failed on " + db.dbname() + ": " + PgErrors.oneLine(e), e));
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            });
        } catch (java.io.InterruptedIOException e) {
            throw new PgException("interrupted");
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    static String ident(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** Glob (* and ?) on "schema.table", or on the table name alone when the pattern has no dot. */
    static boolean matches(String pattern, TableDump t) {
        StringBuilder re = new StringBuilder();
        for (char ch : pattern.toCharArray()) {
            switch (ch) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        Pattern p = Pattern.compile(re.toString());
        return p.matcher(pattern.contains(".") ? t.qualified() : t.name()).matches();
    }
}
