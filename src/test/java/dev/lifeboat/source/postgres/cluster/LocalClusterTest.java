package dev.lifeboat.source.postgres.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.testing.PgExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Checks against one cluster started for the whole class, configured with archiving on. */
@Timeout(120)
class LocalClusterTest {

    private static Path archive;
    private static LocalCluster cluster;

    @BeforeAll
    static void start() throws IOException {
        archive = Files.createTempDirectory("lifeboat-archive-");
        ServerUser.get().own(archive);
        cluster = LocalCluster.start(PgExtension.testOptions()
                .withSetting("archive_mode", "on")
                .withSetting("archive_command", "cp %p " + archive + "/%f"));
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            try (Stream<Path> files = Files.walk(archive)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void createsTableAndQueriesIt() throws SQLException {
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE boats (id int PRIMARY KEY, name text)");
            s.execute("INSERT INTO boats VALUES (1, 'Ägir'), (2, 'Nautilus')");
            try (ResultSet r = s.executeQuery("SELECT string_agg(name, ',' ORDER BY id) FROM boats")) {
                r.next();
                assertEquals("Ägir,Nautilus", r.getString(1));
            }
        }
    }

    @Test
    void runsTheWantedVersionWithTheWantedSettings() throws SQLException {
        assertEquals(List.of(String.valueOf(cluster.binaries().major()), "off", "replica", "10", "10",
                        "127.0.0.1", cluster.workDir().toString(), "UTF8", "C", "on", String.valueOf(cluster.port())),
                List.of(
                        query("SELECT current_setting('server_version_num')::int / 10000"),
                        query("SHOW fsync"), query("SHOW wal_level"), query("SHOW max_wal_senders"),
                        query("SHOW max_replication_slots"), query("SHOW listen_addresses"),
                        query("SHOW unix_socket_directories"), query("SHOW server_encoding"),
                        query("SHOW lc_collate"), query("SHOW archive_mode"), query("SHOW port")));
        assertEquals("t", query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
        assertEquals("postgres", cluster.superuser());
    }

    @Test
    void extraSettingsReachTheServer() throws Exception {
        execute("CREATE TABLE IF NOT EXISTS wal_filler AS SELECT 1 AS x");
        String segment = query("SELECT pg_walfile_name(pg_current_wal_lsn())");
        query("SELECT pg_switch_wal()"); // completes the segment, which hands it to archive_command
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(archive.resolve(segment)) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(archive.resolve(segment)), "archived " + segment + "\n" + cluster.logTail(20));
    }

    @Test
    void urisPointAtTheServer() throws Exception {
        assertEquals("jdbc:postgresql://127.0.0.1:" + cluster.port() + "/my%20db?user=postgres",
                cluster.jdbcUrl("my db"));
        assertEquals("postgresql://postgres@127.0.0.1:" + cluster.port() + "/postgres",
                cluster.connectionUri("postgres"));
        assertEquals("127.0.0.1", cluster.host());
        // libpq must understand the URI as well, not only pgjdbc
        Exec.Result r = Exec.run(List.of(cluster.binaries().tool("psql").toString(), "-X", "-A", "-t", "-c",
                "SELECT 40 + 2", cluster.connectionUri("postgres")), null, Duration.ofSeconds(30));
        assertEquals(new Exec.Result(0, "42"), r);
    }

    @Test
    void replicationConnectionsAreAllowed() throws Exception {
        Exec.Result r = Exec.run(List.of(cluster.binaries().tool("psql").toString(), "-X", "-A", "-t", "-c",
                        "IDENTIFY_SYSTEM", "-d", cluster.connectionUri("postgres") + "?replication=true"),
                null, Duration.ofSeconds(30));
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().startsWith(query("SELECT system_identifier FROM pg_control_system()") + "|"),
                r.output());
    }

    @Test
    void serverFilesBelongToTheServerUser() throws IOException {
        ServerUser user = ServerUser.get();
        if (user.switched()) {
            // we run as root, so the server must have run as someone else
            assertEquals(user.uid(), Files.getAttribute(cluster.dataDir(), "unix:uid"));
            assertEquals(user.uid(), Files.getAttribute(cluster.dataDir().resolve("postgresql.conf"), "unix:uid"));
            assertEquals(user.name(), ProcessHandle.of(cluster.pid().orElseThrow()).orElseThrow()
                    .info().user().orElseThrow());
        }
        assertTrue(Files.readString(cluster.logFile()).contains("database system is ready to accept connections"));
    }

    @Test
    void twoClustersRunSideBySide() throws SQLException {
        try (LocalCluster second = LocalCluster.start(PgExtension.testOptions().withSuperuser("captain"))) {
            assertNotEquals(cluster.port(), second.port());
            assertNotEquals(cluster.dataDir(), second.dataDir());
            try (Connection c = second.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE only_in_second (x int)");
                try (ResultSet r = s.executeQuery("SELECT current_user")) {
                    r.next();
                    assertEquals("captain", r.getString(1));
                }
            }
            assertEquals("f", query("SELECT to_regclass('only_in_second') IS NOT NULL"));
        }
    }

    @Test
    void startFailureShowsTheServerLogAndCleansUp() throws IOException {
        Path base = Files.createTempDirectory("lifeboat-base-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            ClusterException e = assertThrows(ClusterException.class, () -> LocalCluster.start(
                    PgExtension.testOptions().withBaseDir(base).withSetting("shared_buffers", "plenty")));
            assertTrue(e.getMessage().contains("failed to start"), e.getMessage());
            assertTrue(e.getMessage().contains("invalid value for parameter \"shared_buffers\": \"plenty\""),
                    e.getMessage());
            try (Stream<Path> left = Files.list(base)) {
                assertEquals(List.of(), left.toList());
            }
        } finally {
            Files.deleteIfExists(base);
        }
    }

    @Test
    void settingNamesAreChecked() {
        assertThrows(IllegalArgumentException.class,
                () -> LocalCluster.Options.defaults().withSetting("port = 1\nfsync", "off"));
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String query(String sql) throws SQLException {
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }
}
