package dev.lifeboat.source.postgres;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.source.postgres.DumpInfo.DatabaseDump;
import dev.lifeboat.source.postgres.DumpInfo.TableDump;
import dev.lifeboat.util.Workers;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Restores a whole database from a snapshot's dump in pg_dump's three sections: pg_restore creates
 * the schema (pre-data); Lifeboat loads the tables' data ({@link TableLoader}) while pg_restore
 * restores the data section's other entries (sequence values, large objects) from named pipes; then
 * pg_restore with {@code --jobs} builds indexes and constraints and restores the rest (post-data).
 * This is the split that pg_restore's {@code --section} is made for, so pg_restore alone can restore
 * a dump the same way ({@code pg extract}).
 */
final class DatabaseRestore implements AutoCloseable {
    private final Repository repo;
    private final PgRestore.Options opts;
    private final Path pgRestore;
    private final DatabaseDump db;
    private final java.util.function.Consumer<String> progress;
    private Path work;
    private Path selection;
    private DumpFiles files;
    private DataItems items;

    /** Tables ANALYZEd as soon as they were loaded. */
    private Set<String> analyzed = Set.of();

    DatabaseRestore(Repository repo, PgRestore.Options opts, Path pgRestore, DatabaseDump db,
                    java.util.function.Consumer<String> progress) {
        this.repo = repo;
        this.opts = opts;
        this.pgRestore = pgRestore;
        this.db = db;
        this.progress = progress;
    }

    Set<String> analyzed() {
        return analyzed;
    }

    /** Lays the dump out and reads its data section; needs no database yet, so it runs while the target is made. */
    void prepare(Tree dump) throws IOException {
        work = Files.createTempDirectory(opts.tmpDir(), "lifeboat-pgrestore-");
        files = DumpFiles.layOut(repo, dump, work);
        List<TocLine> selected = select();
        selection = work.resolve("lifeboat-selected.list");
        Files.writeString(selection, String.join("\n", selected.stream().map(TocLine::line).toList()) + "\n");
        items = DataItems.probe(pgRestore, work, selected, selection);
        Set<String> tableFiles = new HashSet<>();
        items.tables().forEach(t -> tableFiles.add(t.file()));
        files.pipe(name -> !tableFiles.contains(name));
    }

    /**
     * The entries to restore: pg_restore's own choice for --schema and --exclude-schema, except that
     * a schema named with --schema is created too (pg_restore's -n leaves it out, so its tables could
     * not be made in a new database), and one named with --exclude-schema is left alone (-N still
     * creates it, which fails where the hosting platform already has it).
     */
    private List<TocLine> select() {
        List<TocLine> all = TocLine.list(pgRestore, work);
        Set<Integer> chosen = new HashSet<>();
        List<String> filters = PgRestore.schemaArgs(opts);
        for (TocLine t : filters.isEmpty() ? all : TocLine.list(pgRestore, work, filters)) {
            chosen.add(t.dumpId());
        }
        List<TocLine> out = new ArrayList<>();
        for (TocLine t : all) {
            boolean take = chosen.contains(t.dumpId()) || isSchemaItself(t, opts.schemas());
            if (take && !isSchemaItself(t, opts.excludeSchemas())) {
                out.add(t);
            }
        }
        return out;
    }

    /** The entry that creates one of these schemas, or comments on it, or grants on it. */
    private static boolean isSchemaItself(TocLine t, List<String> schemas) {
        for (String s : schemas) {
            if (t.desc().equals("SCHEMA") && t.rest().startsWith("- " + s + " ")
                    || (t.desc().equals("COMMENT") || t.desc().equals("ACL")) && t.rest().startsWith("- SCHEMA " + s + " ")) {
                return true;
            }
        }
        return false;
    }

    /** Restores the prepared dump into the target database; returns how many tables got their data. */
    int load() throws IOException {
        Set<String> loaded = new HashSet<>();
        Set<String> partly = new HashSet<>();
        try {
            progress.accept("creating the schema of " + opts.target().dbname());
            pgRestore(List.of("--section=pre-data", "--use-list=" + selection), files);
            progress.accept("loading " + items.tables().size() + " tables, on up to " + Math.max(1, opts.jobs()) + " connections");
            TableLoader loader = new TableLoader(repo, files, opts.target(), items, progress);
            PgTool other = startOther(work, items, files);
            try {
                loader.run(opts.jobs());
            } catch (PgException e) {
                if (other != null) {
                    other.kill();
                }
                throw e;
            } finally {
                loaded.addAll(loader.loaded());
                partly.addAll(loader.partlyLoaded());
            }
            finish(other, files);
            List<String> beside = loader.analyzeBeside();
            postData(beside);
            Set<String> all = new HashSet<>(loader.analyzed());
            all.addAll(beside);
            analyzed = Set.copyOf(all);
        } catch (PgException e) {
            throw new PgException("restore into " + opts.target().dbname() + " failed: " + e.getMessage() + "; " + restored(loaded, partly), e);
        }
        return (int) db.tables().stream().filter(t -> loaded.contains(t.file())).count();
    }

    @Override
    public void close() {
        if (files != null) {
            files.close();
        }
        if (work != null) {
            DatabaseDumper.deleteTree(work);
        }
    }

    /**
     * pg_restore builds the indexes and constraints while the given tables (the last ones loaded) are
     * ANALYZEd beside it, in that order: their own indexes wait for the ANALYZE's lock, the others need not.
     */
    private void postData(List<String> tablesToAnalyze) throws IOException {
        progress.accept("building indexes and constraints");
        List<String> postData = List.of("--section=post-data", "--use-list=" + selection, "--jobs=" + Math.max(1, opts.jobs()));
        if (tablesToAnalyze.isEmpty()) {
            pgRestore(postData, files);
            return;
        }
        java.util.concurrent.FutureTask<Void> analyzing = new java.util.concurrent.FutureTask<>(() -> {
            analyze(tablesToAnalyze);
            return null;
        });
        Workers.startDaemon("pg-analyze", analyzing);
        try {
            pgRestore(postData, files);
        } catch (RuntimeException e) {
            try {
                Workers.await(analyzing);
            } catch (IOException | RuntimeException also) {
                e.addSuppressed(also);
            }
            throw e;
        }
        Workers.await(analyzing);
    }

    private void analyze(List<String> tables) {
        try (java.sql.Connection c = items.connect(opts.target()); java.sql.Statement st = c.createStatement()) {
            for (String t : tables) {
                st.execute("ANALYZE " + t);
            }
        } catch (java.sql.SQLException e) {
            throw new PgException("ANALYZE failed: " + PgErrors.oneLine(e), e);
        }
    }

    /** The data section's entries that are not table data, restored by pg_restore; null when there are none. */
    private PgTool startOther(Path work, DataItems items, DumpFiles files) throws IOException {
        if (items.other().isEmpty()) {
            return null;
        }
        Path list = work.resolve("lifeboat-other-data.list");
        Files.writeString(list, String.join("\n", items.other()) + "\n");
        PgTool tool = start(List.of("--section=data", "--use-list=" + list), files);
        files.onReadFailure(tool::kill);
        return tool;
    }

    private void finish(PgTool other, DumpFiles files) {
        if (other != null) {
            check(other, other.waitFor(), files);
        }
    }

    private void pgRestore(List<String> section, DumpFiles files) {
        PgTool tool = start(section, files);
        check(tool, tool.waitFor(), files);
    }

    private PgTool start(List<String> section, DumpFiles files) {
        List<String> args = new ArrayList<>(List.of("--verbose", "--exit-on-error", "--dbname=" + opts.target().conninfo()));
        args.addAll(section);
        args.addAll(PgRestore.ownerArgs(opts));
        args.add(files.dir().toString());
        return PgTool.start(pgRestore, args, opts.target(), ProcessBuilder.Redirect.from(new File("/dev/null")),
                ProcessBuilder.Redirect.DISCARD, null);
    }

    private static void check(PgTool tool, int code, DumpFiles files) {
        if (files.readFailure() != null) {
            throw new PgException("cannot read the snapshot: " + files.readFailure().getMessage());
        }
        if (code != 0) {
            String err = tool.error();
            if (err.contains("role") && err.contains("does not exist")) {
                err += " (restore with --no-owner --no-privileges, or create the role first)";
            }
            throw new PgException(err);
        }
    }

    /** What a failed restore had loaded: the user must know which tables are complete. */
    private String restored(Set<String> loaded, Set<String> partly) {
        List<String> done = db.tables().stream().filter(t -> loaded.contains(t.file())).map(TableDump::qualified).toList();
        List<String> part = db.tables().stream().filter(t -> partly.contains(t.file())).map(TableDump::qualified).toList();
        return "data of " + done.size() + " of " + db.tables().size() + " tables was loaded" + names(done)
                + (part.isEmpty() ? "" : "; " + part.size() + " only in part" + names(part));
    }

    private static String names(List<String> tables) {
        if (tables.isEmpty()) {
            return "";
        }
        return " (" + (tables.size() <= 20 ? String.join(", ", tables) : String.join(", ", tables.subList(0, 20)) + ", ...") + ")";
    }
}
