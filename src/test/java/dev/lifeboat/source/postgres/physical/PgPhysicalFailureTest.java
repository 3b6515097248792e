package dev.lifeboat.source.postgres.physical;

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
import java.util.Map;

import static dev.lifeboat.source.postgres.physical.PhysicalFixture.execute;
import static dev.lifeboat.source.postgres.physical.PhysicalFixture.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input to physical backups and WAL streaming: one clear line, a non-zero exit, and an untouched repository. */
class PgPhysicalFailureTest {
    static LocalCluster pg;

    @TempDir
    Path tmp;
    Cli cli;

    @BeforeAll
    static void start() throws Exception {
        pg = LocalCluster.start(PgExtension.testOptions());
        execute(pg.port(), "CREATE ROLE rep LOGIN REPLICATION PASSWORD 'rep-secret-pw'", "CREATE ROLE plain LOGIN");
        Path hba = pg.dataDir().resolve("pg_hba.conf");
        Files.writeString(hba, "host all rep 127.0.0.1/32 scram-sha-256\nhost replication rep 127.0.0.1/32 scram-sha-256\n"
                + Files.readString(hba));
        execute(pg.port(), "SELECT pg_reload_conf()");
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    @BeforeEach
    void init() throws Exception {
        cli = Cli.create(tmp, "pw");
        cli.ok("init");
    }

    private void failsCleanly(String expected, String... args) throws Exception {
        failsCleanly(1, expected, args);
    }

    private void failsCleanly(int exit, String expected, String... args) throws Exception {
        Map<String, String> before = Trees.fingerprint(cli.repo());
        Cli.Run r = cli.run(args);
        assertEquals(exit, r.exit(), r.toString());
        String err = r.err().strip();
        assertEquals(1, err.lines().filter(l -> l.startsWith("lifeboat: ")).count(), err);
        assertTrue(err.contains(expected), "expected \"" + expected + "\" in: " + err);
        assertFalse(err.contains("rep-secret-pw"), err);
        assertEquals(before, Trees.fingerprint(cli.repo()), "the repository changed");
    }

    private Path password(String pw) throws Exception {
        Path f = tmp.resolve("pgpw-" + Math.abs(pw.hashCode()));
        Files.writeString(f, pw + "\n");
        return f;
    }

    @Test
    void unreachableServer() throws Exception {
        failsCleanly("connection refused", "pg", "basebackup", "--db", "postgresql://postgres@127.0.0.1:1/postgres");
        failsCleanly("connection refused", "pg", "wal-stream", "--db", "postgresql://postgres@127.0.0.1:1/postgres",
                "--slot", "s1");
    }

    @Test
    void missingSlot() throws Exception {
        failsCleanly("replication slot \"nope\" does not exist", "pg", "wal-stream", "--db", url(pg), "--slot", "nope");
    }

    @Test
    void wrongPassword() throws Exception {
        String rep = "postgresql://rep@127.0.0.1:" + pg.port() + "/postgres";
        failsCleanly("password authentication failed for user \"rep\"", "pg", "basebackup", "--db", rep,
                "--pg-password-file", password("wrong").toString());
        failsCleanly("password authentication failed for user \"rep\"", "pg", "wal-stream", "--db", rep, "--slot", "s2",
                "--create-slot", "--pg-password-file", password("wrong").toString());
        cli.ok("pg", "basebackup", "--db", rep, "--pg-password-file", password("rep-secret-pw").toString());
    }

    @Test
    void userWithoutReplicationRights() throws Exception {
        failsCleanly("replication", "pg", "basebackup", "--db", "postgresql://plain@127.0.0.1:" + pg.port() + "/postgres");
    }

    @Test
    void serverWithMinimalWal() throws Exception {
        try (LocalCluster minimal = LocalCluster.start(PgExtension.testOptions().withSetting("wal_level", "minimal")
                .withSetting("max_wal_senders", "0"))) {
            failsCleanly("wal_level=minimal", "pg", "basebackup", "--db", url(minimal));
            failsCleanly("wal_level=minimal", "pg", "wal-stream", "--db", url(minimal), "--slot", "s3", "--create-slot");
            failsCleanly("wal_level=minimal", "pg", "restore-point", "x", "--db", url(minimal));
        }
    }

    @Test
    void restoreWithoutBaseBackupOrWithBadTargets() throws Exception {
        failsCleanly("no physical base backup", "pg", "restore", "--physical", "--data-dir", tmp.resolve("d").toString());
        failsCleanly(2, "not a WAL position", "pg", "restore", "--physical", "--data-dir", tmp.resolve("d").toString(),
                "--target-lsn", "nonsense");
        failsCleanly(2, "cannot read", "pg", "restore", "--physical", "--data-dir", tmp.resolve("d").toString(),
                "--target-time", "yesterday-ish");
        failsCleanly(2, "--physical needs --data-dir", "pg", "restore", "--physical");
    }
}
