package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.source.postgres.cluster.LocalCluster;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.PgExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.lifeboat.source.postgres.physical.PhysicalFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primary is killed while commits stream in: what the repository holds at that moment is
 * measured (the RPO), streaming resumes after the server restarts without a gap, and after a
 * restore-and-promote creates timeline 2 both timelines stay reachable by point-in-time recovery.
 */
class PgCrashAndTimelineTest {
    @TempDir
    Path tmp;

    @Test
    void killedPrimaryRestartsAndTimelinesStayReachable() throws Exception {
        PgExtension.openToServer(tmp);
        Cli cli = Cli.create(tmp, "pw");
        cli.ok("init");
        try (LocalCluster pg = LocalCluster.start(PgExtension.testOptions())) {
            execute(pg.port(), "CREATE TABLE rpo (id bigint PRIMARY KEY, t timestamptz DEFAULT clock_timestamp())");
            Path log1 = tmp.resolve("stream1.log");
            Process stream1 = startStream(cli, url(pg), "primary", log1);
            try {
                cli.ok("pg", "basebackup", "--db", url(pg));
                awaitStored(pg, "primary", currentLsn(pg), log1);

                AtomicLong acked = new AtomicLong();
                AtomicLong attempted = new AtomicLong();
                AtomicBoolean failed = new AtomicBoolean();
                Thread writer = new Thread(() -> {
                    try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                        for (long id = 1; ; id++) {
                            attempted.set(id);
                            s.execute("INSERT INTO rpo (id) VALUES (" + id + ")");
                            acked.set(id);
                        }
                    } catch (Exception e) {
                        failed.set(true);
                    }
                });
                writer.start();
                Thread.sleep(3000);
                pg.kill();
                writer.join(30_000);
                assertTrue(failed.get());
                Thread.sleep(1500); // the streamer stores what it had received when the connection broke

                // The primary is gone: restore the latest state the repository holds.
                int p1 = restoreAndStart(cli, tmp.resolve("after-crash"), "--latest");
                List<Long> got = ids(p1, "postgres", "rpo");
                stopServer(tmp.resolve("after-crash"));
                long n = got.size();
                assertEquals(range(1, n), got, "the restored rows are not a gap-free prefix of the commits");
                assertTrue(n <= attempted.get(), n + " rows restored but only " + attempted.get() + " attempted");
                System.out.printf("RPO kill test: %d of %d acknowledged commits restored, %d lost%n", n, acked.get(),
                        Math.max(0, acked.get() - n));

                // The server comes back: streaming resumes where it stopped, without a gap.
                pg.startAgain();
                for (long id = 1_000_001; id <= 1_000_010; id++) {
                    execute(pg.port(), "INSERT INTO rpo (id) VALUES (" + id + ")");
                }
                awaitStored(pg, "primary", currentLsn(pg), log1);
                // A network cut (the server ends the replication connection): streaming comes back too.
                execute(pg.port(), "SELECT pg_terminate_backend(pid) FROM pg_stat_replication");
                execute(pg.port(), "INSERT INTO rpo (id) VALUES (1000011)");
                awaitStored(pg, "primary", currentLsn(pg), log1);
                assertTrue(Files.readString(log1).contains("WAL streaming interrupted"), Files.readString(log1));
                Cli.Run check = cli.run("pg", "wal-check");
                assertEquals(0, check.exit(), check + "\n" + Files.readString(log1));

                // Restore and promote: timeline 2, which gets its own stream.
                Path tl2 = tmp.resolve("timeline2");
                int p2 = restoreAndStart(cli, tl2, "--latest");
                List<Long> all = ids(p2, "postgres", "rpo");
                assertTrue(all.size() >= acked.get() + 11, "acknowledged commits lost across the crash: " + all.size());
                Path log2 = tmp.resolve("stream2.log");
                Process stream2 = startStream(cli, url(p2), "promoted", log2);
                try {
                    for (long id = 2_000_001; id <= 2_000_005; id++) {
                        execute(p2, "INSERT INTO rpo (id) VALUES (" + id + ")");
                    }
                    awaitStored(p2, "promoted", currentLsn(p2), log2);
                } finally {
                    assertEquals(0, stop(stream2), Files.readString(log2));
                    stopServer(tl2);
                }
                // Meanwhile the old primary writes on timeline 1.
                execute(pg.port(), "INSERT INTO rpo (id) VALUES (3000001)");
                awaitStored(pg, "primary", currentLsn(pg), log1);
            } finally {
                assertEquals(0, stop(stream1), Files.readString(log1));
            }
            Cli.Run check = cli.ok("pg", "wal-check");
            assertTrue(check.out().contains("timeline 1:") && check.out().contains("timeline 2:"), check.out());

            int p3 = restoreAndStart(cli, tmp.resolve("latest-tl2"), "--latest");
            List<Long> onTl2 = ids(p3, "postgres", "rpo");
            stopServer(tmp.resolve("latest-tl2"));
            assertTrue(onTl2.containsAll(range(2_000_001, 2_000_005)) && !onTl2.contains(3_000_001L), onTl2.toString());

            int p4 = restoreAndStart(cli, tmp.resolve("latest-tl1"), "--latest", "--target-timeline", "1");
            List<Long> onTl1 = ids(p4, "postgres", "rpo");
            stopServer(tmp.resolve("latest-tl1"));
            assertTrue(onTl1.contains(3_000_001L) && !onTl1.contains(2_000_001L), onTl1.toString());
            assertFalse(onTl1.isEmpty());
        }
    }
}
