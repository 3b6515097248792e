package dev.lifeboat.source.postgres;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.repository.Trees;
import dev.lifeboat.source.postgres.DumpInfo.DatabaseDump;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code lifeboat pg extract}: gives a backup back in the standard formats, so nobody needs
 * Lifeboat to restore it: a pg_dump directory dump for pg_restore, or a plain SQL script for psql.
 */
public final class PgExtract {
    private final Repository repo;

    public PgExtract(Repository repo) {
        this.repo = repo;
    }

    /**
     * Writes the dump of one database into {@code dir}; with several databases and none chosen,
     * each goes into a subdirectory and the globals script beside them. Returns what was written.
     */
    public List<String> toDirectory(SnapshotRef snap, String sourceDb, Path dir) throws IOException {
        DumpInfo info = DumpInfo.of(snap);
        prepareEmpty(dir);
        repo.loadIndex();
        List<String> written = new ArrayList<>();
        if (sourceDb != null || info.databases().size() == 1) {
            DatabaseDump db = info.database(sourceDb);
            DumpFiles.extract(repo, DumpFiles.treeOf(repo, snap.snapshot().tree(), db.dir()), dir);
            written.add(dir.toString());
            return written;
        }
        if (info.globals() != null) {
            Tree top = Trees.load(repo, BlobId.parse(snap.snapshot().tree()));
            Node g = top.find(info.globals());
            try (OutputStream out = Files.newOutputStream(dir.resolve("globals.sql"))) {
                dev.lifeboat.repository.Content.writeTo(repo, g.content(), out);
            }
            written.add(dir.resolve("globals.sql").toString());
        }
        for (DatabaseDump db : info.databases()) {
            Path sub = Files.createDirectory(dir.resolve(db.dir()));
            DumpFiles.extract(repo, DumpFiles.treeOf(repo, snap.snapshot().tree(), db.dir()), sub);
            written.add(sub.toString());
        }
        return written;
    }

    /** Writes a plain SQL script of one database to {@code sqlFile} ("-" for standard output) through pg_restore. */
    public void toSql(SnapshotRef snap, String sourceDb, String sqlFile, List<String> restoreOptions,
                      Optional<Path> pgBin, Path tmpDir) throws IOException {
        DumpInfo info = DumpInfo.of(snap);
        DatabaseDump db = info.database(sourceDb);
        repo.loadIndex();
        Tree dump = DumpFiles.treeOf(repo, snap.snapshot().tree(), db.dir());
        Path pgRestore = PgTool.find("pg_restore", info.serverMajor(), pgBin);
        Path work = Files.createTempDirectory(tmpDir, "lifeboat-pgextract-");
        try (DumpFiles files = DumpFiles.piped(repo, dump, work)) {
            List<String> args = new ArrayList<>(restoreOptions);
            args.add("--file=" + sqlFile);
            args.add(work.toString());
            PgTool tool = PgTool.start(pgRestore, args, null, ProcessBuilder.Redirect.from(new java.io.File("/dev/null")),
                    "-".equals(sqlFile) ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.DISCARD, null);
            files.onReadFailure(tool::kill);
            int code = tool.waitFor();
            if (files.readFailure() != null) {
                throw new PgException("cannot read the snapshot: " + files.readFailure().getMessage()
                        + ("-".equals(sqlFile) ? "" : "; " + sqlFile + " is incomplete"));
            }
            if (code != 0) {
                throw new PgException("pg_restore failed: " + tool.error());
            }
        } finally {
            DatabaseDumper.deleteTree(work);
        }
    }

    private static void prepareEmpty(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException(dir + " is not empty; extract into a new or empty directory");
                }
            }
        } else {
            Files.createDirectories(dir);
        }
    }
}
