package dev.lifeboat.source.postgres;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.Hosts;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.repository.Trees;
import dev.lifeboat.source.files.StreamSaver;
import dev.lifeboat.source.postgres.DumpInfo.DatabaseDump;
import dev.lifeboat.source.postgres.cluster.PgBinaries;
import dev.lifeboat.util.Version;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** {@code lifeboat pg backup}: one database, or every database plus the globals, into one snapshot. */
public final class PgBackup {

    /**
     * @param selection pg_dump options choosing what to dump (--schema-only, --table=..., ...)
     * @param pgBin     a configured PostgreSQL bin directory, searched first
     */
    public record Options(PgConn conn, boolean all, boolean rolePasswords, List<String> selection, int jobs,
                          List<String> tags, String host, Optional<Path> pgBin, Path tmpDir, boolean sqlCounts,
                          int compressionLevel, long tempLimit) {
    }

    public record Result(BlobId id, Snapshot snapshot, DumpInfo info) {
    }

    private final Repository repo;
    private final Options opts;
    private final Consumer<String> progress;

    public PgBackup(Repository repo, Options opts, Consumer<String> progress) {
        this.repo = repo;
        this.opts = opts;
        this.progress = progress;
    }

    public Result run() throws IOException {
        Instant start = Instant.now();
        Server server = Server.probe(opts.conn);
        PgBinaries bin = PgBinaries.forMajor(server.major, opts.pgBin);
        Path pgDump = bin.tool("pg_dump");
        Path pgRestore = bin.tool("pg_restore");
        String pgDumpVersion = "pg_dump (PostgreSQL) " + bin.version();
        repo.loadIndex();
        List<Node> root = new ArrayList<>();
        List<DatabaseDump> dumps = new ArrayList<>();
        long added = 0;
        long read = 0;
        long blobs = 0;
        long files = 0;
        String globals = null;
        try (Trees trees = new Trees(repo)) {
            if (opts.all) {
                globals = "globals.sql";
                Path pgDumpAll = bin.tool("pg_dumpall");
                try (StreamSaver saver = new StreamSaver(repo, opts.compressionLevel)) {
                    StreamSaver.Saved s = dumpGlobals(pgDumpAll, saver);
                    saver.flush();
                    long now = Instant.now().toEpochMilli() * 1_000_000L;
                    root.add(new Node(globals, Node.FILE, 0600, now, now, null, null, null, null, null, null, null,
                            s.size(), null, s.content(), null));
                    added += s.bytesAdded();
                    blobs += s.blobsAdded();
                    read += s.size();
                    files++;
                }
            }
            List<String> names = opts.all ? server.dumpable : List.of(opts.conn.dbname());
            for (String db : names) {
                if (progress != null) {
                    progress.accept("dumping database " + db);
                }
                DatabaseDumper dumper = new DatabaseDumper(repo, trees, opts.conn.withDatabase(db), pgDump, pgRestore,
                        opts.selection, opts.jobs, opts.tmpDir, null, opts.sqlCounts, opts.compressionLevel,
                        opts.tempLimit);
                DatabaseDumper.Result r = dumper.run(dirName(db));
                root.add(r.dir());
                dumps.add(r.info());
                added += r.bytesAdded();
                blobs += r.blobsAdded();
                read += r.bytesRead();
                files += r.files();
            }
            root.sort(Comparator.comparing(Node::name));
            BlobId tree = trees.save(new Tree(root));
            trees.flush();
            repo.flushIndex();
            DumpInfo info = new DumpInfo(server.version, server.major, pgDumpVersion, opts.conn.host() + ":" + opts.conn.port(),
                    opts.conn.user(), server.databases, globals, opts.all && opts.rolePasswords, opts.selection, dumps);
            Instant end = Instant.now();
            Snapshot.Summary summary = new Snapshot.Summary(start, end, files, 0, 0, dumps.size(), blobs,
                    trees.blobsAdded(), added + trees.bytesAdded(), read, files, read, List.of());
            String path = "postgresql://" + opts.conn.user() + "@" + opts.conn.host() + ":" + opts.conn.port()
                    + "/" + (opts.all ? "" : opts.conn.dbname());
            Snapshot snap = new Snapshot(1, start, tree.hex(), null, List.of(path),
                    opts.host != null ? opts.host : Hosts.hostname(), Hosts.username(), opts.tags, DumpInfo.KIND,
                    List.of(), summary, info.toMeta(), Version.get());
            return new Result(Snapshots.save(repo, snap), snap, info);
        }
    }

    private StreamSaver.Saved dumpGlobals(Path pgDumpAll, StreamSaver saver) throws IOException {
        List<String> args = new ArrayList<>(List.of("--globals-only", "--dbname=" + opts.conn.conninfo()));
        if (!opts.rolePasswords) {
            args.add("--no-role-passwords");
        }
        PgTool tool = PgTool.start(pgDumpAll, args, opts.conn, ProcessBuilder.Redirect.from(new java.io.File("/dev/null")),
                ProcessBuilder.Redirect.PIPE, null);
        StreamSaver.Saved s;
        try (InputStream in = tool.process().getInputStream()) {
            s = saver.save(in, n -> { });
        } catch (StreamSaver.StoreFailedException e) {
            tool.kill();
            throw e.getCause();
        }
        tool.check();
        return s;
    }

    /** A database name as a directory name: "/" and a leading "." would make it a path or hide it. */
    static String dirName(String db) {
        String d = db.replace("%", "%25").replace("/", "%2F");
        return d.startsWith(".") ? "%2E" + d.substring(1) : d;
    }

    /** What the server is: version, and which databases exist. */
    record Server(String version, int major, List<String> databases, List<String> dumpable) {
        static Server probe(PgConn conn) {
            try (Connection c = conn.connect(); Statement s = c.createStatement()) {
                String version;
                int num;
                try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version'), current_setting('server_version_num')::int")) {
                    rs.next();
                    version = rs.getString(1);
                    num = rs.getInt(2);
                }
                List<String> all = new ArrayList<>();
                List<String> dumpable = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT datname, datallowconn AND NOT datistemplate FROM pg_database ORDER BY datname")) {
                    while (rs.next()) {
                        all.add(rs.getString(1));
                        if (rs.getBoolean(2)) {
                            dumpable.add(rs.getString(1));
                        }
                    }
                }
                return new Server(version, num / 10000, all, dumpable);
            } catch (SQLException e) {
                throw new PgException("cannot query " + conn.describe() + ": " + PgErrors.oneLine(e), e);
            }
        }
    }
}
