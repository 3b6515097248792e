package dev.lifeboat.source.postgres;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.source.postgres.DumpInfo.DatabaseDump;
import dev.lifeboat.source.postgres.DumpInfo.TableDump;
import dev.lifeboat.source.postgres.cluster.LocalCluster;
import dev.lifeboat.source.postgres.cluster.PgBinaries;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * {@code lifeboat pg verify}: proves a backup restores by restoring it into a sandbox (a
 * throwaway cluster Lifeboat starts, or a scratch database on a server the user names) and
 * checking the result. The sandbox is removed whatever happens.
 */
public final class PgVerify {

    public record Options(Optional<PgConn> scratchServer, UserChecks checks, String sourceDb, int jobs,
                          Optional<Path> pgBin, Path tmpDir) {
    }

    public record Check(String name, boolean ok, String detail, long millis) {
    }

    public record Report(String snapshot, String database, String sandbox, long restoreMillis, long totalMillis,
                         List<Check> checks, boolean ok) {
    }

    private final Repository repo;
    private final Options opts;
    private final Consumer<String> progress;

    public PgVerify(Repository repo, Options opts, Consumer<String> progress) {
        this.repo = repo;
        this.opts = opts;
        this.progress = progress == null ? s -> { } : progress;
    }

    public Report run(SnapshotRef snap) throws IOException {
        long t0 = System.nanoTime();
        DumpInfo info = DumpInfo.of(snap);
        DatabaseDump db = info.database(opts.sourceDb);
        if (opts.scratchServer.isPresent()) {
            PgConn server = opts.scratchServer.get();
            PgConn scratch = server.withDatabase("lifeboat_verify_" + UUID.randomUUID().toString().substring(0, 8));
            try {
                return verify(snap, info, db, scratch, "scratch database " + scratch.describe(), t0);
            } finally {
                dropQuietly(server, scratch.dbname());
            }
        }
        PgBinaries bin = PgBinaries.forMajor(info.serverMajor(), opts.pgBin);
        progress.accept("starting a PostgreSQL " + bin.version() + " sandbox");
        try (LocalCluster sandbox = LocalCluster.start(LocalCluster.Options.defaults().withBinaries(bin)
                .withFsync(false).withBaseDir(opts.tmpDir))) {
            PgConn target = PgConn.parse(sandbox.connectionUri(db.name()), null);
            return verify(snap, info, db, target, "sandbox cluster (PostgreSQL " + bin.version() + ")", t0);
        }
    }

    private Report verify(SnapshotRef snap, DumpInfo info, DatabaseDump db, PgConn target, String sandbox, long t0)
            throws IOException {
        progress.accept("restoring " + db.name() + " into the " + sandbox);
        long r0 = System.nanoTime();
        List<Check> checks = new ArrayList<>();
        // The sandbox has none of the source's roles (a single-database backup holds none), so
        // ownership and grants are left out: the checks are about data and structure.
        PgRestore.Options ro = new PgRestore.Options(target, db.name(), false, List.of(), true, true, List.of(), List.of(),
                opts.jobs, opts.pgBin, opts.tmpDir, null);
        try {
            new PgRestore(repo, ro, null).run(snap);
            checks.add(new Check("restore", true, db.tables().size() + " tables", ms(r0)));
        } catch (PgException e) {
            checks.add(new Check("restore", false, e.getMessage(), ms(r0)));
            return new Report(snap.id().hex(), db.name(), sandbox, ms(r0), ms(t0), checks, false);
        }
        long restoreMillis = ms(r0);
        try (Connection c = target.connect()) {
            checks.add(rowCounts(c, db));
            checks.add(constraints(c, db));
            checks.add(amcheck(c));
            if (opts.checks != null) {
                for (UserChecks.Check uc : opts.checks.checks()) {
                    if (uc.database() == null || uc.database().equals(db.name())) {
                        checks.add(user(c, uc));
                    }
                }
            }
        } catch (SQLException e) {
            checks.add(new Check("connect", false, PgErrors.oneLine(e), 0));
        }
        boolean ok = checks.stream().allMatch(Check::ok);
        return new Report(snap.id().hex(), db.name(), sandbox, restoreMillis, ms(t0), checks, ok);
    }

    private static Check rowCounts(Connection c, DatabaseDump db) {
        long t = System.nanoTime();
        List<String> wrong = new ArrayList<>();
        long rows = 0;
        for (TableDump table : db.tables()) {
            String q = PgRestore.ident(table.schema()) + "." + PgRestore.ident(table.name());
            try {
                long n = Long.parseLong(DatabaseDumper.query1(c, "SELECT count(*) FROM ONLY " + q));
                rows += n;
                if (n != table.rows()) {
                    wrong.add(table.qualified() + " has " + n + " rows, backup recorded " + table.rows());
                }
            } catch (SQLException e) {
                wrong.add(table.qualified() + ": " + PgErrors.oneLine(e));
            }
        }
        String detail = wrong.isEmpty() ? db.tables().size() + " tables, " + rows + " rows as recorded" : String.join("; ", wrong);
        return new Check("row counts", wrong.isEmpty(), detail, ms(t));
    }

    private static Check constraints(Connection c, DatabaseDump db) {
        long t = System.nanoTime();
        List<String> bad = new ArrayList<>();
        try {
            for (String con : DatabaseProps.notValidConstraints(c)) {
                if (!db.notValidConstraints().contains(con)) {
                    bad.add("constraint " + con + " is not valid");
                }
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT i.indexrelid::regclass::text FROM pg_index i WHERE NOT i.indisvalid OR NOT i.indisready")) {
                while (rs.next()) {
                    bad.add("index " + rs.getString(1) + " is invalid");
                }
            }
        } catch (SQLException e) {
            bad.add(PgErrors.oneLine(e));
        }
        return new Check("constraints and indexes valid", bad.isEmpty(),
                bad.isEmpty() ? "none left invalid" : String.join("; ", bad), ms(t));
    }

    private static Check amcheck(Connection c) {
        long t = System.nanoTime();
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'")) {
                if (!rs.next()) {
                    return new Check("amcheck", true, "skipped: the amcheck extension is not installed on this server", ms(t));
                }
            }
            s.execute("CREATE EXTENSION IF NOT EXISTS amcheck");
            List<String> indexes = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    + "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE am.amname = 'btree' AND c.relkind = 'i' AND c.relpersistence <> 't' AND i.indisvalid "
                    + "AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'")) {
                while (rs.next()) {
                    indexes.add(rs.getString(1));
                }
            }
            List<String> bad = new ArrayList<>();
            for (String idx : indexes) {
                try (var ps = c.prepareStatement("SELECT bt_index_check(?::regclass, true)")) {
                    ps.setString(1, idx);
                    ps.execute();
                } catch (SQLException e) {
                    bad.add(idx + ": " + PgErrors.oneLine(e));
                }
            }
            return new Check("amcheck", bad.isEmpty(), bad.isEmpty() ? indexes.size() + " btree indexes consistent with their tables"
                    : String.join("; ", bad), ms(t));
        } catch (SQLException e) {
            return new Check("amcheck", false, PgErrors.oneLine(e), ms(t));
        }
    }

    private static Check user(Connection c, UserChecks.Check uc) {
        long t = System.nanoTime();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(uc.sql())) {
            String got = rs.next() ? text(rs.getObject(1)) : "(no rows)";
            String want = uc.expect() == null ? "null" : uc.expect().toLowerCase(Locale.ROOT).equals("true")
                    || uc.expect().toLowerCase(Locale.ROOT).equals("false") ? uc.expect().toLowerCase(Locale.ROOT) : uc.expect();
            boolean ok = want.equals(got);
            return new Check(uc.name(), ok, ok ? "got " + got : "expected " + want + ", got " + got, ms(t));
        } catch (SQLException e) {
            return new Check(uc.name(), false, PgErrors.oneLine(e), ms(t));
        }
    }

    private static String text(Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof java.math.BigDecimal d) {
            return d.stripTrailingZeros().toPlainString();
        }
        return String.valueOf(o);
    }

    private static void dropQuietly(PgConn server, String db) {
        try (Connection c = PgRestore.connectAdmin(server.withDatabase("postgres")); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + PgRestore.ident(db) + " WITH (FORCE)");
        } catch (SQLException | PgException ignored) {
            // the report says where the scratch database was; nothing more to do here
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
