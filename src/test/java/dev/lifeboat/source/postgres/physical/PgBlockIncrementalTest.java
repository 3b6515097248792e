package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.TreeWalker;
import dev.lifeboat.source.postgres.cluster.LocalCluster;
import dev.lifeboat.storage.local.LocalStorage;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.PgExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static dev.lifeboat.source.postgres.physical.PhysicalFixture.restoreAndStart;
import static dev.lifeboat.source.postgres.physical.PhysicalFixture.stopServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second base backup stores only the blocks that changed: one updated row of a table of many
 * blocks makes one new block of its file, every other block keeps its blob, and the incremental
 * restores to the updated state.
 */
class PgBlockIncrementalTest {
    static LocalCluster pg;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        PgExtension.openToServer(tmp);
        pg = LocalCluster.start(PgExtension.testOptions());
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            // about 8 MB of poorly compressible rows: some thirty 256 KiB blocks
            s.execute("CREATE TABLE big (id bigint PRIMARY KEY, v text)");
            s.execute("INSERT INTO big SELECT g, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) "
                    + "FROM generate_series(1, 60000) g");
            s.execute("VACUUM FREEZE big"); // no hint bits left to set: the next scan changes no page
            s.execute("CHECKPOINT");
        }
    }

    @AfterAll
    static void stopCluster() {
        pg.close();
    }

    private static String relationPath() throws Exception {
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_relation_filepath('big')")) {
            rs.next();
            return "/" + rs.getString(1);
        }
    }

    private static List<String> blocksOf(Repository repo, SnapshotRef snap, String path) throws Exception {
        List<String> out = new ArrayList<>();
        new TreeWalker(repo).walk(snap.snapshot().tree(), (p, n) -> {
            if (p.equals(path) && n.type().equals(Node.FILE)) {
                out.addAll(n.content());
            }
            return true;
        });
        return out;
    }

    private static long dataBytes(Path repo) throws Exception {
        try (var files = Files.walk(repo.resolve("data"))) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void secondBaseBackupStoresOnlyTheChangedBlock() throws Exception {
        Cli cli = Cli.create(tmp, "pw");
        cli.ok("init");
        String url = PhysicalFixture.url(pg);
        cli.ok("pg", "basebackup", "--db", url);
        long afterFirst = dataBytes(cli.repo());
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("UPDATE big SET v = 'changed' WHERE id = 30000");
            s.execute("CHECKPOINT"); // the page reaches the file the backup reads
        }
        cli.ok("pg", "basebackup", "--db", url);
        long added = dataBytes(cli.repo()) - afterFirst;
        // The first stored the whole cluster, the table most of it; the second a block of it, the
        // catalog pages the update touched and its WAL (some 140 KB of 5.4 MB when this was written).
        assertTrue(added < afterFirst / 10, "the second base backup added " + added + " bytes to " + afterFirst);

        String path = relationPath();
        try (Repository repo = Repository.open(new LocalStorage(cli.repo()), "pw".toCharArray())) {
            repo.loadIndex();
            List<SnapshotRef> snaps = new ArrayList<>(Snapshots.all(repo));
            snaps.sort(Comparator.comparing(r -> r.snapshot().time()));
            assertEquals(2, snaps.size());
            List<String> first = blocksOf(repo, snaps.get(0), path);
            List<String> second = blocksOf(repo, snaps.get(1), path);
            assertTrue(first.size() >= 20, "the table spans " + first.size() + " blocks of " + path);
            assertEquals(first.size(), second.size(), "same length, same number of blocks");
            int changed = 0;
            for (int i = 0; i < first.size(); i++) {
                changed += first.get(i).equals(second.get(i)) ? 0 : 1;
            }
            assertEquals(1, changed, "blocks of " + path + " stored again by the second backup");
        }

        Path data = tmp.resolve("restored");
        int port = restoreAndStart(cli, data, "--latest");
        try (Connection c = PhysicalFixture.connect(port, "postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v, (SELECT count(*) FROM big) FROM big WHERE id = 30000")) {
            rs.next();
            assertEquals("changed", rs.getString(1));
            assertEquals(60000, rs.getLong(2));
        } finally {
            stopServer(data);
        }
    }
}
