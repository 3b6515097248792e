package dev.lifeboat.cli;

import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.source.postgres.physical.WalArchive;
import dev.lifeboat.source.postgres.physical.WalStreamer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "wal-stream", mixinStandardHelpOptions = true,
        description = {"Stream WAL continuously into the repository over the replication protocol, through a physical replication slot.",
                "WAL is stored every --flush-interval and only then confirmed to the server, so the slot advances only past stored WAL.",
                "Runs until stopped (SIGTERM or Ctrl-C store what was received, then exit); reconnects after a restart or network cut.",
                "Consider max_slot_wal_keep_size on the server: a slot holds WAL on the server while streaming is stopped."})
final class PgWalStreamCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Mixin
    PgOptions pg;

    @Option(names = "--db", required = true, paramLabel = "URL", description = "postgresql://user@host:port/dbname (a user with REPLICATION).")
    String db;
    @Option(names = "--slot", required = true, paramLabel = "NAME", description = "The physical replication slot to stream through.")
    String slot;
    @Option(names = "--create-slot", description = "Create the slot if it does not exist.")
    boolean createSlot;
    @Option(names = "--flush-interval", paramLabel = "MS", description = "Store received WAL at least this often, in milliseconds (default: ${DEFAULT-VALUE}); bounds the WAL lost if the server's disk is lost.")
    long flushMillis = 200;

    @Override
    public Integer call() throws Exception {
        if (!slot.matches("[a-z0-9_]{1,63}")) {
            throw new IllegalArgumentException("--slot: a slot name has 1 to 63 lower-case letters, digits or underscores");
        }
        if (flushMillis < 10 || flushMillis > 600_000) {
            throw new IllegalArgumentException("--flush-interval must be between 10 and 600000 ms");
        }
        var conn = pg.conn(db);
        pg.warmUp(conn);
        try (Repository repo = Repos.open(g); Locks.Held lock = Locks.acquire(repo, false, "pg wal-stream")) {
            WalStreamer streamer = new WalStreamer(new WalArchive(repo),
                    new WalStreamer.Options(conn, slot, createSlot, Duration.ofMillis(flushMillis)), s -> Out.info(g, s));
            CountDownLatch done = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                streamer.stop();
                try {
                    done.await(java.util.concurrent.TimeUnit.SECONDS.toMillis(20), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "wal-stream-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                streamer.run();
            } finally {
                done.countDown();
            }
            Out.info(g, "stopped; WAL stored up to " + streamer.storedUpTo());
        }
        return 0;
    }
}
