package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.source.postgres.cluster.LocalCluster;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.PgExtension;
import dev.lifeboat.testing.Trees;
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
import java.util.List;
import java.util.Map;

import static dev.lifeboat.source.postgres.physical.PhysicalFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Point-in-time recovery is exact: with commits made one by one at recorded times, WAL positions
 * and transaction ids, recovery to a point between two commits has exactly the commits before it.
 */
class PgPointInTimeTest {
    static LocalCluster pg;

    @TempDir
    static Path tmp;

    record Commit(long id, long xid, String lsnAfter, String timeAfter) {
    }

    @BeforeAll
    static void start() throws Exception {
        PgExtension.openToServer(tmp);
        pg = LocalCluster.start(PgExtension.testOptions());
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE ev (id bigint PRIMARY KEY, t timestamptz DEFAULT clock_timestamp())");
            s.execute("CREATE TABLE kept (id bigint PRIMARY KEY)");
            s.execute("CREATE TABLE filler AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 100000) g");
        }
    }

    @AfterAll
    static void stopCluster() {
        pg.close();
    }

    private static Commit commit(Connection c, long id) throws Exception {
        long xid;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("INSERT INTO ev (id) VALUES (" + id + ") RETURNING txid_current()")) {
            rs.next();
            xid = rs.getLong(1);
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text, clock_timestamp()::text")) {
            rs.next();
            Commit k = new Commit(id, xid, rs.getString(1), rs.getString(2));
            Thread.sleep(30);
            return k;
        }
    }

    private List<Long> restoreAndRead(Cli cli, String name, String... target) throws Exception {
        Path data = tmp.resolve(name);
        int port = freePort();
        List<String> args = new ArrayList<>(List.of("pg", "restore", "--physical", "--data-dir", data.toString(),
                "--start", "--port", String.valueOf(port)));
        args.addAll(List.of(target));
        try {
            Cli.Run r = cli.ok(args.toArray(new String[0]));
            assertTrue(r.out().contains("promoted"), r.toString());
            return ids(port, "postgres", "ev");
        } finally {
            stopServer(data);
        }
    }

    @Test
    void recoversToEveryKindOfTargetExactly() throws Exception {
        Cli cli = Cli.create(Files.createDirectories(tmp.resolve("pitr")), "pw");
        cli.ok("init");
        Path log = tmp.resolve("stream.log");
        Process stream = startStream(cli, url(pg), "pitr", log);
        try {
            cli.ok("pg", "basebackup", "--db", url(pg));
            List<Commit> commits = new ArrayList<>();
            // Other sessions keep writing meanwhile, as an application would.
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread noise = new Thread(() -> {
                try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                    for (int i = 0; !done.get(); i++) {
                        s.execute("UPDATE filler SET v = md5(v) WHERE id % 997 = " + (i % 997));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            noise.start();
            try (Connection c = pg.connect("postgres")) {
                for (long id = 1; id <= 30; id++) {
                    commits.add(commit(c, id));
                    if (id == 15) {
                        cli.ok("pg", "restore-point", "before-16", "--db", url(pg));
                    }
                }
            } finally {
                done.set(true);
                noise.join();
            }
            awaitStored(pg, "pitr", currentLsn(pg), log);

            assertEquals(range(1, 10), restoreAndRead(cli, "by-time", "--target-time", commits.get(9).timeAfter()));
            assertEquals(range(1, 20), restoreAndRead(cli, "by-lsn", "--target-lsn", commits.get(19).lsnAfter()));
            assertEquals(range(1, 5), restoreAndRead(cli, "by-xid", "--target-xid", String.valueOf(commits.get(4).xid())));
            assertEquals(range(1, 6), restoreAndRead(cli, "by-xid-exclusive", "--target-xid",
                    String.valueOf(commits.get(6).xid()), "--target-exclusive"));
            assertEquals(range(1, 15), restoreAndRead(cli, "by-name", "--target-name", "before-16"));
            assertEquals(range(1, 30), restoreAndRead(cli, "latest", "--latest"));

            Cli.Run check = cli.ok("pg", "wal-check");
            assertTrue(check.out().contains("timeline 1:") && check.out().contains("recovers to any point from"), check.out());
        } finally {
            assertEquals(0, stop(stream), Files.readString(log));
        }
        assertTrue(Files.readString(log).contains("streaming WAL from"), Files.readString(log));

        // Targets outside what the repository holds fail with one line and change nothing (the stream,
        // which keeps storing the server's background WAL, is stopped first).
        Map<String, String> before = Trees.fingerprint(cli.repo());
        Cli.Run early = cli.run("pg", "restore", "--physical", "--data-dir", tmp.resolve("early").toString(),
                "--target-time", "2001-01-01T00:00:00Z");
        assertEquals(1, early.exit(), early.toString());
        assertTrue(early.err().contains("no base backup is old enough"), early.err());
        Cli.Run late = cli.run("pg", "restore", "--physical", "--data-dir", tmp.resolve("late").toString(),
                "--target-lsn", "FF/0");
        assertEquals(1, late.exit(), late.toString());
        assertTrue(late.err().contains("is after the stored WAL") && late.err().contains("latest reachable point"), late.err());
        Cli.Run notEmpty = cli.run("pg", "restore", "--physical", "--data-dir", tmp.resolve("latest").toString());
        assertEquals(1, notEmpty.exit(), notEmpty.toString());
        assertTrue(notEmpty.err().contains("is not empty"), notEmpty.err());
        assertEquals(before, Trees.fingerprint(cli.repo()), "a failed restore changed the repository");
    }

    @Test
    void aMissingSegmentIsNamedByWalCheckAndRestore() throws Exception {
        Cli cli = Cli.create(Files.createDirectories(tmp.resolve("gap")), "pw");
        cli.ok("init");
        Path log = tmp.resolve("stream-gap.log");
        Process stream = startStream(cli, url(pg), "gap", log);
        try {
            Cli.Run streamed = cli.ok("pg", "basebackup", "--method", "stream", "--db", url(pg));
            assertTrue(streamed.out().contains("(stream)"), streamed.out());
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                for (int i = 0; i < 4; i++) {
                    s.execute("INSERT INTO filler SELECT g, 'x' FROM generate_series(" + (200000 + i * 10) + ", "
                            + (200009 + i * 10) + ") g");
                    s.execute("SELECT pg_switch_wal()");
                }
            }
            awaitStored(pg, "gap", currentLsn(pg), log);
        } finally {
            assertEquals(0, stop(stream), Files.readString(log));
        }
        Path walDir;
        try (var dirs = Files.list(cli.repo().resolve("wal"))) {
            walDir = dirs.findFirst().orElseThrow();
        }
        List<Path> segments;
        try (var files = Files.list(walDir)) {
            segments = files.filter(p -> p.getFileName().toString().endsWith("-01000000")).sorted().toList();
        }
        assertTrue(segments.size() >= 3, segments.toString());
        Path victim = segments.get(segments.size() - 2);
        String name = victim.getFileName().toString().substring(0, 24);
        Files.delete(victim);

        Cli.Run check = cli.run("pg", "wal-check");
        assertEquals(13, check.exit(), check.toString());
        assertTrue(check.out().contains("MISSING: " + name), check.out());
        Map<String, String> before = Trees.fingerprint(cli.repo());
        Cli.Run r = cli.run("pg", "restore", "--physical", "--data-dir", tmp.resolve("gap-restore").toString(), "--latest");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("WAL segment " + name + " is missing") && r.err().contains("latest reachable point is"),
                r.err());
        assertEquals(before, Trees.fingerprint(cli.repo()));
    }

    @Test
    void pruneDropsWalOlderThanTheOldestKeptBaseBackupAndDeltaRestoreRewritesOnlyWhatDiffers() throws Exception {
        Cli cli = Cli.create(Files.createDirectories(tmp.resolve("retention")), "pw");
        cli.ok("init");
        Path log = tmp.resolve("stream-retention.log");
        Process stream = startStream(cli, url(pg), "retention", log);
        String first;
        try {
            first = cli.ok("pg", "basebackup", "--json", "--db", url(pg)).out();
            for (int i = 0; i < 3; i++) {
                execute(pg.port(), "INSERT INTO kept VALUES (" + (500 + i) + ")", "SELECT pg_switch_wal()");
            }
            cli.ok("pg", "basebackup", "--db", url(pg));
            execute(pg.port(), "INSERT INTO kept VALUES (600)", "SELECT pg_switch_wal()");
            awaitStored(pg, "retention", currentLsn(pg), log);
        } finally {
            assertEquals(0, stop(stream), Files.readString(log));
        }
        String firstId = first.replaceAll("(?s).*\"short_id\"\\s*:\\s*\"([0-9a-f]+)\".*", "$1");
        Cli.Run info = cli.ok("pg", "info", firstId);
        assertTrue(info.out().contains("base backup " + firstId) && info.out().contains("timeline 1, WAL "), info.out());
        long walBefore = countWal(cli);
        String coverage = cli.ok("pg", "wal-check").out();
        cli.ok("forget", firstId);
        Cli.Run prune = cli.ok("prune");
        assertTrue(prune.out().contains("WAL object(s) older than the oldest base backup"), prune.out() + coverage);
        assertTrue(countWal(cli) < walBefore, prune.out());
        assertEquals(0, cli.run("pg", "wal-check").exit());

        Path data = tmp.resolve("delta");
        int port = restoreAndStart(cli, data, "--latest");
        stopServer(data);
        // Damage the restored copy: a changed page, a deleted file, a stray file. --delta puts it right.
        Path pgVersion = data.resolve("PG_VERSION");
        String version = Files.readString(pgVersion);
        Files.delete(pgVersion);
        Files.writeString(data.resolve("stray-file"), "x");
        Files.writeString(data.resolve("global/pg_filenode.map"), "damaged");
        Path relation;
        try (var files = Files.walk(data.resolve("base"))) {
            relation = files.filter(p -> p.getFileName().toString().matches("\\d+") && sizeOf(p) > 8192).findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(relation);
        b[100] ^= 1;
        Files.write(relation, b);
        Files.deleteIfExists(data.resolve("postmaster.pid"));
        Cli.Run refused = cli.run("pg", "restore", "--physical", "--data-dir", data.toString(), "--latest");
        assertEquals(1, refused.exit(), refused.toString());
        port = restoreAndStart(cli, data, "--latest", "--delta");
        try {
            assertTrue(ids(port, "postgres", "kept").contains(600L));
            assertEquals(version, Files.readString(pgVersion));
            assertTrue(!Files.exists(data.resolve("stray-file")));
        } finally {
            stopServer(data);
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static long countWal(Cli cli) throws java.io.IOException {
        try (var files = Files.walk(cli.repo().resolve("wal"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
