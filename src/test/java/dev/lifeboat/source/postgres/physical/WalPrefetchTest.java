package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.chunking.ChunkerParams;
import dev.lifeboat.crypto.Argon2idParams;
import dev.lifeboat.repository.RepoConfig;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.source.postgres.cluster.ServerUser;
import dev.lifeboat.storage.local.LocalStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WAL prefetch of a point-in-time restore against a real repository: for a time target it
 * fetches freely only up to the first segment received after the target, and beyond that only what
 * the server asks for, so WAL after the target costs nothing; but whatever the server asks for
 * always comes, even when the receive times are wrong (a clock behind the database server's).
 */
class WalPrefetchTest {
    private static final int SEGMENT = 1 << 20;
    private static final long SYSTEM = 7_000_000_000_000_000_001L;
    private static final Instant T0 = Instant.parse("2026-11-30T06:00:00Z");

    @TempDir
    Path tmp;

    private record Setup(Repository repo, WalArchive archive, WalCoverage cov, List<String> segments) {
    }

    /** Ten whole segments, segment i received at T0 + i seconds. */
    private Setup tenSegments() throws Exception {
        Repository repo = Repository.init(LocalStorage.create(tmp.resolve("repo")), "pw".toCharArray(),
                RepoConfig.create(ChunkerParams.DEFAULT, 1, 16 << 20), Argon2idParams.parse("m=1024,t=1,p=1"), "h", "u");
        WalArchive archive = new WalArchive(repo);
        List<String> segments = new ArrayList<>();
        byte[] data = new byte[SEGMENT];
        for (int i = 0; i < 10; i++) {
            String name = WalName.segment(1, 16 + i, SEGMENT);
            data[0] = (byte) i;
            archive.savePiece(SYSTEM, name, SEGMENT, 0, data, 0, SEGMENT, T0.plusSeconds(i));
            segments.add(name);
        }
        return new Setup(repo, archive, new WalCoverage(archive, SYSTEM, SEGMENT), segments);
    }

    private static int fetchedAfterSettling(WalPrefetch fetch) throws InterruptedException {
        int last = -1;
        for (int stable = 0; stable < 15; ) {
            Thread.sleep(20);
            int now = fetch.fetched();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
        return last;
    }

    /** A prefetch of all ten segments into a new directory, for a time target, one segment of lead. */
    private WalPrefetch prefetch(Setup s, Path dir, Instant target) {
        List<WalCoverage.Span> path = List.of(new WalCoverage.Span(1, Lsn.ZERO, null));
        return new WalPrefetch(s.cov(), s.archive(), SYSTEM, path, s.segments(), dir, ServerUser.get(), 2, 1, target);
    }

    private static Thread start(WalPrefetch fetch) {
        Thread t = new Thread(() -> {
            try {
                fetch.run();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void timeTargetFetchesFreelyOnlyToTheFirstSegmentAfterIt() throws Exception {
        Setup s = tenSegments();
        Path dir = Files.createDirectory(tmp.resolve("prefetch"));
        // the target lies between segments 3 and 4: 0-4 hold WAL up to it, 5 covers a record spanning the boundary
        WalPrefetch fetch = prefetch(s, dir, T0.plusMillis(3_500));
        Thread t = start(fetch);
        try {
            // segments 0-5 without a request; the other thread may have taken one more before segment 4 closed the horizon
            int free = fetchedAfterSettling(fetch);
            assertTrue(free == 6 || free == 7, free + " segments fetched");
            for (int i = 0; i <= 5; i++) {
                assertTrue(Files.exists(dir.resolve(s.segments().get(i))), s.segments().get(i));
            }
            assertTrue(Files.notExists(dir.resolve(s.segments().get(7))));
            Files.createFile(dir.resolve(".want-" + s.segments().get(8))); // recovery went on: it asks
            assertEquals(9, fetchedAfterSettling(fetch), "what the server asks for comes, with the lead");
        } finally {
            fetch.cancel();
            t.join(10_000);
        }
    }

    @Test
    void aClockBehindTheServerCannotEndRecoveryEarly() throws Exception {
        Setup s = tenSegments();
        Path dir = Files.createDirectory(tmp.resolve("prefetch"));
        // receive times all after the target: the horizon closes at once, demand must carry the rest
        WalPrefetch fetch = prefetch(s, dir, T0.minusSeconds(60));
        Thread t = start(fetch);
        try {
            assertTrue(fetchedAfterSettling(fetch) < 10);
            Files.createFile(dir.resolve(".want-" + s.segments().get(9)));
            t.join(10_000);
            assertEquals(10, fetch.fetched());
            assertTrue(Files.exists(dir.resolve(".done")), "every segment the server asked for was fetched");
            for (int i = 0; i < 10; i++) {
                assertEquals((byte) i, Files.readAllBytes(dir.resolve(s.segments().get(i)))[0], s.segments().get(i));
            }
        } finally {
            fetch.cancel();
            t.join(10_000);
        }
    }
}
