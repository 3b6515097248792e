package dev.lifeboat.source.postgres;

import dev.lifeboat.source.postgres.cluster.LocalCluster;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.PgExtension;
import dev.lifeboat.testing.Trees;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failures of the database side get one clear line and leave the repository as it was: no
 * snapshot, nothing that check complains about, no temporary files left behind.
 */
class PgFailureTest {
    static LocalCluster pg;

    @TempDir
    Path tmp;
    Cli cli;
    Path scratch;

    @BeforeAll
    static void startCluster() throws Exception {
        pg = LocalCluster.start(PgExtension.testOptions());
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE alice LOGIN PASSWORD 'alice-secret-pw'");
            s.execute("CREATE DATABASE app");
        }
        try (Connection c = pg.connect("app"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE public_data AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 1000) g");
            s.execute("CREATE TABLE secret (id int)");
            s.execute("GRANT SELECT ON public_data TO alice");
            s.execute("CREATE TABLE big AS SELECT g AS id, repeat(md5(g::text), 8) AS v FROM generate_series(1, 600000) g");
        }
        // alice must give her password; everyone else keeps the trust the test cluster is made with.
        Path hba = pg.dataDir().resolve("pg_hba.conf");
        Files.writeString(hba, "host all alice 127.0.0.1/32 scram-sha-256\n" + Files.readString(hba));
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("SELECT pg_reload_conf()");
        }
    }

    @AfterAll
    static void stopCluster() {
        pg.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        cli = Cli.create(tmp, "pw");
        cli.ok("init");
        PgExtension.openToServer(tmp);
        scratch = Files.createDirectory(tmp.resolve("scratch"));
    }

    private Path passwordFile(String pw) throws Exception {
        Path f = tmp.resolve("dbpw-" + pw.hashCode());
        Files.writeString(f, pw + "\n");
        return f;
    }

    /** Runs a failing command and checks: one line, the expected words, no snapshot, repository checks clean, no temp files. */
    private Cli.Run failsCleanly(String expected, String... args) throws Exception {
        Map<String, String> before = Trees.fingerprint(cli.repo().resolve("snapshots"));
        Cli.Run r = cli.run(args);
        assertEquals(1, r.exit(), r.toString());
        String err = r.err().strip();
        assertEquals(1, err.lines().filter(l -> l.startsWith("lifeboat: ")).count(), err);
        assertTrue(err.contains(expected), "expected \"" + expected + "\" in: " + err);
        assertFalse(err.contains("alice-secret-pw"), "the password leaked: " + err);
        assertEquals(before, Trees.fingerprint(cli.repo().resolve("snapshots")), "a snapshot was written");
        Cli.Run check = cli.run("check", "--read-data");
        assertEquals(0, check.exit(), check.toString());
        try (var left = Files.list(scratch)) {
            assertEquals(0, left.count(), "temporary files left behind");
        }
        return r;
    }

    private String url(String user, String db) {
        return "postgresql://" + user + "@127.0.0.1:" + pg.port() + "/" + db;
    }

    @Test
    void unreachableServer() throws Exception {
        failsCleanly("connection refused", "pg", "backup", "--temp-dir", scratch.toString(),
                "--db", "postgresql://postgres@127.0.0.1:1/app");
    }

    @Test
    void unknownDatabase() throws Exception {
        failsCleanly("database \"nope\" does not exist", "pg", "backup", "--temp-dir", scratch.toString(),
                "--db", url("postgres", "nope"));
    }

    @Test
    void wrongPassword() throws Exception {
        failsCleanly("password authentication failed for user \"alice\"", "pg", "backup", "--temp-dir", scratch.toString(),
                "--pg-password-file", passwordFile("wrong").toString(), "--db", url("alice", "app"), "--table", "public_data");
        cli.ok("pg", "backup", "--temp-dir", scratch.toString(), "--pg-password-file", passwordFile("alice-secret-pw").toString(),
                "--db", url("alice", "app"), "--table", "public_data");
        Cli.Run info = cli.ok("pg", "info", "latest");
        assertTrue(info.out().contains("public.public_data") && info.out().contains("1000 rows"), info.out());
    }

    @Test
    void wrongRepositoryPassphrase() throws Exception {
        // One line with the passphrase's own exit code; no dump left running, nothing left behind.
        Path wrong = tmp.resolve("wrong-repo-pw");
        Files.writeString(wrong, "not the passphrase\n");
        Cli other = cli.withPassword(wrong);
        Map<String, String> before = Trees.fingerprint(cli.repo().resolve("snapshots"));
        Cli.Run r = other.run("pg", "backup", "--temp-dir", scratch.toString(), "--pg-password-file",
                passwordFile("alice-secret-pw").toString(), "--db", url("alice", "app"), "--table", "public_data");
        assertEquals(12, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("lifeboat: ")).count(), r.toString());
        assertTrue(r.err().contains("lifeboat: wrong passphrase"), r.toString());
        assertEquals(before, Trees.fingerprint(cli.repo().resolve("snapshots")), "a snapshot was written");
        try (var left = Files.list(scratch)) {
            assertEquals(0, left.count(), "temporary files left behind");
        }
        assertTrue(ProcessHandle.current().descendants().noneMatch(p -> p.info().command().orElse("").endsWith("/pg_dump")),
                "pg_dump left running");
        cli.ok("check", "--read-data");
    }

    @Test
    void tableThePgDumpUserCannotRead() throws Exception {
        Cli.Run r = failsCleanly("permission denied for table secret", "pg", "backup", "--temp-dir", scratch.toString(),
                "--pg-password-file", passwordFile("alice-secret-pw").toString(), "--db", url("alice", "app"));
        assertTrue(r.err().contains("pg_dump"), r.err());
    }

    @Test
    void pgDumpKilledHalfWay() throws Exception {
        Thread killer = new Thread(() -> {
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                Optional<ProcessHandle> dump = ProcessHandle.current().descendants()
                        .filter(p -> p.info().command().orElse("").endsWith("/pg_dump")).findFirst();
                if (dump.isPresent() && dataWritten()) {
                    dump.get().destroyForcibly();
                    return;
                }
                Thread.onSpinWait();
            }
        });
        killer.start();
        failsCleanly("pg_dump of database app failed", "pg", "backup", "--temp-dir", scratch.toString(), "--db", url("postgres", "app"));
        killer.join();
    }

    /** True once pg_dump has started writing table data, so the kill lands half way. */
    private boolean dataWritten() {
        try (var walk = Files.walk(scratch)) {
            return walk.anyMatch(p -> p.getFileName().toString().matches("\\d+\\.dat"));
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void failedReplaceKeepsTheSafetySnapshotAndSaysWhatWasRestored() throws Exception {
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE gone");
            s.execute("CREATE DATABASE shop");
        }
        try (Connection c = pg.connect("shop"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items AS SELECT generate_series(1, 100) AS id");
            s.execute("CREATE TABLE owned_by_gone (id int)");
            s.execute("ALTER TABLE owned_by_gone OWNER TO gone");
        }
        cli.ok("pg", "backup", "--db", url("postgres", "shop"));
        try (Connection c = pg.connect("shop"); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE owned_by_gone OWNER TO postgres");
            s.execute("DROP ROLE gone");
            s.execute("INSERT INTO items VALUES (101)");
        }
        Cli.Run r = cli.run("pg", "restore", "latest", "--db", url("postgres", "shop"), "--replace", "--temp-dir", scratch.toString());
        assertEquals(1, r.exit(), r.toString());
        String err = r.err();
        assertTrue(err.contains("role \"gone\" does not exist") && err.contains("--no-owner"), err);
        assertTrue(err.contains("of 2 tables was loaded"), err);
        String safety = err.replaceAll("(?s).*previous contents are in safety snapshot ([0-9a-f]{8}).*", "$1");
        assertEquals(8, safety.length(), err);

        cli.ok("pg", "restore", safety, "--db", url("postgres", "shop"), "--replace");
        try (Connection c = pg.connect("shop"); Statement s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            assertEquals(101, rs.getLong(1));
        }
        // And with --no-owner the original backup restores fine into a server without that role.
        cli.ok("pg", "restore", "latest", "--source-db", "shop", "--db", url("postgres", "shop_copy"), "--no-owner");
    }
}
