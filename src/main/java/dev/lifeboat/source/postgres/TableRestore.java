package dev.lifeboat.source.postgres;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.source.postgres.DumpInfo.DatabaseDump;
import dev.lifeboat.source.postgres.DumpInfo.TableDump;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code pg restore --table}: puts selected tables back into an existing database in one
 * transaction. A table that exists has its rows replaced (and its owned sequences reset); a table
 * that is missing is created with its rows. Either all selected tables change or none does.
 */
final class TableRestore {
    private final Repository repo;
    private final PgRestore.Options opts;
    private final Tree dump;
    private final DatabaseDump db;
    private final Path pgRestore;
    private final Path psql;

    TableRestore(Repository repo, PgRestore.Options opts, Tree dump, DatabaseDump db, Path pgRestore, Path psql) {
        this.repo = repo;
        this.opts = opts;
        this.dump = dump;
        this.db = db;
        this.pgRestore = pgRestore;
        this.psql = psql;
    }

    int run(List<String> notes) throws IOException {
        List<TableDump> chosen = db.tables().stream()
                .filter(t -> opts.tables().stream().anyMatch(p -> PgRestore.matches(p, t))).toList();
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("no table in the snapshot matches " + String.join(", ", opts.tables())
                    + " (it has " + db.tables().size() + " tables; see 'lifeboat pg info SNAPSHOT')");
        }
        Set<String> existing = new HashSet<>();
        Set<String> ownedSequences = new HashSet<>();
        boolean superuser;
        try (Connection c = opts.target().connect()) {
            superuser = "t".equals(DatabaseDumper.query1(c, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
            for (TableDump t : chosen) {
                if (exists(c, t)) {
                    existing.add(t.qualified());
                    ownedSequences.addAll(sequencesOf(c, t));
                }
            }
        } catch (SQLException e) {
            throw new PgException("cannot inspect " + opts.target().describe() + ": " + PgErrors.oneLine(e), e);
        }
        Path work = Files.createTempDirectory(opts.tmpDir(), "lifeboat-pgtables-");
        try (DumpFiles files = DumpFiles.piped(repo, dump, work)) {
            Path list = work.resolve("restore.list");
            Files.writeString(list, String.join("\n", selectEntries(work, chosen, existing, ownedSequences)) + "\n");
            StringBuilder prelude = new StringBuilder();
            if (superuser) {
                // Rows go back as they were: no foreign-key checks against half-loaded tables, no audit triggers firing.
                prelude.append("SET session_replication_role = replica;\n");
            }
            if (!existing.isEmpty()) {
                prelude.append("TRUNCATE ONLY ").append(String.join(", ", chosen.stream()
                        .filter(t -> existing.contains(t.qualified()))
                        .map(t -> PgRestore.ident(t.schema()) + "." + PgRestore.ident(t.name())).toList())).append(";\n");
            }
            List<String> restoreArgs = new ArrayList<>(List.of("--use-list=" + list, "--file=-"));
            restoreArgs.addAll(PgRestore.commonArgs(opts));
            restoreArgs.add(work.toString());
            PgTool script = PgTool.start(pgRestore, restoreArgs, null, ProcessBuilder.Redirect.from(new java.io.File("/dev/null")),
                    ProcessBuilder.Redirect.PIPE, null);
            PgTool load = PgTool.start(psql, List.of("-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                    "--dbname=" + opts.target().conninfo(), "--file=-"), opts.target(), ProcessBuilder.Redirect.PIPE,
                    ProcessBuilder.Redirect.DISCARD, null);
            files.onReadFailure(() -> {
                load.kill();
                script.kill();
            });
            Thread pump = new Thread(() -> pump(prelude.toString(), script, load, files), "table-restore-pump");
            pump.start();
            int loadCode = load.waitFor();
            if (loadCode != 0) {
                script.kill();
            }
            int scriptCode = script.waitFor();
            join(pump);
            if (files.readFailure() != null) {
                throw new PgException("table restore failed, nothing was changed: cannot read the snapshot: " + files.readFailure().getMessage());
            }
            if (loadCode != 0 || scriptCode != 0) {
                String why = load.saidSomething() || scriptCode == 0 ? load.error() : "pg_restore: " + script.error();
                throw new PgException("table restore failed, nothing was changed: " + why);
            }
        } finally {
            DatabaseDumper.deleteTree(work);
        }
        List<String> created = chosen.stream().filter(t -> !existing.contains(t.qualified())).map(TableDump::qualified).toList();
        if (!created.isEmpty()) {
            notes.add("created " + String.join(", ", created) + " with their rows; their indexes, constraints and triggers "
                    + "were not recreated ('lifeboat pg extract SNAPSHOT --sql FILE' has their definitions)");
        }
        if (!superuser) {
            notes.add("not a superuser: triggers fired and foreign keys were checked while the rows were loaded");
        }
        return chosen.size();
    }

    /** The TOC lines to restore, in TOC order so definitions come before data. */
    private List<String> selectEntries(Path dir, List<TableDump> chosen, Set<String> existing, Set<String> sequences) {
        Set<String> dataFiles = new HashSet<>();
        Set<String> create = new HashSet<>();
        for (TableDump t : chosen) {
            dataFiles.add(t.file());
            if (!existing.contains(t.qualified())) {
                create.add(t.schema() + " " + t.name() + " ");
            }
        }
        List<String> out = new ArrayList<>();
        for (TocLine t : TocLine.list(pgRestore, dir)) {
            boolean take = switch (t.desc()) {
                case "TABLE DATA" -> dataFiles.contains(t.dumpId() + ".dat");
                case "TABLE" -> create.stream().anyMatch(t.rest()::startsWith);
                case "SEQUENCE SET" -> sequences.stream().anyMatch(seq -> t.rest().startsWith(seq + " "));
                default -> false;
            };
            if (take) {
                out.add(t.line());
            }
        }
        return out;
    }

    /**
     * Feeds pg_restore's script to psql. psql commits when its input ends, so its input is closed
     * only after pg_restore has succeeded; otherwise psql is killed and the transaction rolls back.
     */
    private static void pump(String prelude, PgTool script, PgTool load, DumpFiles files) {
        OutputStream to = load.process().getOutputStream();
        try (InputStream from = script.process().getInputStream()) {
            to.write(prelude.getBytes(StandardCharsets.UTF_8));
            from.transferTo(to);
            if (script.waitFor() != 0 || files.readFailure() != null) {
                load.kill();
                return;
            }
            to.close();
        } catch (IOException e) {
            load.kill();
        }
    }

    private static boolean exists(Connection c, TableDump t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r','p')")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Sequences owned by the table's columns (serial and identity), as "schema name". */
    private static List<String> sequencesOf(Connection c, TableDump t) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT sn.nspname || ' ' || s.relname FROM pg_depend d "
                + "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_namespace sn ON sn.oid = s.relnamespace "
                + "JOIN pg_class tc ON tc.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = tc.relnamespace "
                + "WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a','i') "
                + "AND tn.nspname = ? AND tc.relname = ?")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
