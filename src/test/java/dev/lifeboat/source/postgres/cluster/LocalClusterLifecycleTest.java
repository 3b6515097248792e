package dev.lifeboat.source.postgres.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lifeboat.testing.PgExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tests that stop, crash or close their server, so each starts its own. */
@Timeout(120)
class LocalClusterLifecycleTest {

    @Test
    void killThenStartAgainRecoversCommittedData() throws SQLException, IOException {
        try (LocalCluster pg = LocalCluster.start(PgExtension.testOptions())) {
            int port = pg.port();
            execute(pg, "CREATE TABLE ledger (id int)", "INSERT INTO ledger SELECT generate_series(1, 1000)");
            long pid = pg.pid().orElseThrow();

            pg.kill();

            assertFalse(Postmaster.alive(pid), "postmaster " + pid + " still running");
            assertFalse(pg.running());
            assertRefused(pg);

            pg.startAgain();

            assertEquals(port, pg.port());
            assertEquals("1000", query(pg, "SELECT count(*) FROM ledger"));
            assertTrue(Files.readString(pg.logFile()).contains("not properly shut down; automatic recovery in progress"),
                    pg.logTail(20));

            pg.kill();
            pg.close(); // cleans up after a crash too
            assertFalse(Files.exists(pg.workDir()));
        }
    }

    @Test
    void stopThenStartAgainKeepsDataAndCloseRemovesEverything() throws SQLException {
        LocalCluster pg = LocalCluster.start(PgExtension.testOptions());
        execute(pg, "CREATE TABLE kept (x text)", "INSERT INTO kept VALUES ('still here')");
        pg.stop();
        assertFalse(pg.running());
        pg.stop(); // stopping a stopped server is harmless
        pg.startAgain();
        assertEquals("still here", query(pg, "SELECT x FROM kept"));
        assertThrows(IllegalStateException.class, pg::startAgain);
        long pid = pg.pid().orElseThrow();

        pg.close();

        assertFalse(Files.exists(pg.workDir()), pg.workDir().toString());
        assertFalse(Postmaster.alive(pid), "postmaster " + pid + " still running");
        assertRefused(pg);
        pg.close(); // closing twice is harmless
        assertThrows(IllegalStateException.class, pg::startAgain);
    }

    /** The physical-restore path: a base backup, possibly without postgresql.conf, started as is. */
    @Test
    void startsAnExistingDataDirectoryFromABaseBackup() throws Exception {
        Path parent = Files.createTempDirectory("lifeboat-restore-");
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path restored = parent.resolve("data");
        try (LocalCluster source = LocalCluster.start(PgExtension.testOptions())) {
            execute(source, "CREATE TABLE cargo (item text)", "INSERT INTO cargo VALUES ('rum')");
            Exec.check(List.of(source.binaries().tool("pg_basebackup").toString(), "-d", source.connectionUri("postgres"),
                    "-D", restored.toString(), "-X", "stream", "-c", "fast"), null, Duration.ofMinutes(2));
            Files.delete(restored.resolve("postgresql.conf")); // as in a backup of a Debian-managed cluster

            try (LocalCluster copy = LocalCluster.startExisting(restored, 0, PgExtension.testOptions())) {
                assertNotEquals(source.port(), copy.port());
                assertEquals(restored, copy.dataDir());
                assertEquals("rum", query(copy, "SELECT item FROM cargo"));
                assertEquals("off", query(copy, "SHOW archive_mode"));
                copy.kill();
                copy.startAgain();
                assertEquals("rum", query(copy, "SELECT item FROM cargo"));
            }
            assertTrue(Files.exists(restored.resolve("PG_VERSION")), "an existing data directory is kept");

            int port = freePort();
            try (LocalCluster again = LocalCluster.startExisting(restored, port,
                    PgExtension.testOptions().withSetting("work_mem", "7MB"))) {
                assertEquals(port, again.port());
                assertEquals("7MB", query(again, "SHOW work_mem"));
                assertEquals("rum", query(again, "SELECT item FROM cargo"));
            }
        } finally {
            deleteTree(parent);
        }
    }

    @Test
    void unreachableDataDirectoryIsReportedClearly() throws IOException {
        assumeTrue(ServerUser.get().switched(), "only root hands the data directory to another user");
        Path hidden = Files.createTempDirectory("lifeboat-hidden-"); // 0700, owned by root
        try {
            Path data = Files.createDirectories(hidden.resolve("data"));
            Files.writeString(data.resolve("PG_VERSION"), "15\n");
            ClusterException e = assertThrows(ClusterException.class,
                    () -> LocalCluster.startExisting(data, 0, PgExtension.testOptions()));
            assertTrue(e.getMessage().contains("cannot reach " + data + " because " + hidden), e.getMessage());
        } finally {
            deleteTree(hidden);
        }
    }

    @Test
    void notADataDirectoryIsRejected() throws IOException {
        Path empty = Files.createTempDirectory("lifeboat-empty-");
        try {
            ClusterException e = assertThrows(ClusterException.class,
                    () -> LocalCluster.startExisting(empty, 0, PgExtension.testOptions()));
            assertTrue(e.getMessage().contains("not a PostgreSQL data directory"), e.getMessage());
        } finally {
            Files.delete(empty);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void assertRefused(LocalCluster pg) {
        SQLException e = assertThrows(SQLException.class, () -> pg.connect("postgres").close());
        assertEquals("08001", e.getSQLState(), e.getMessage());
        assertInstanceOf(ConnectException.class, e.getCause(), e.getMessage());
    }

    private static void execute(LocalCluster pg, String... sql) throws SQLException {
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static String query(LocalCluster pg, String sql) throws SQLException {
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
