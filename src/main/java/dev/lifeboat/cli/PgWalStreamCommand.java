package dev.lifeboat.cli;

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
        CountDownLatch done = new CountDownLatch(1);
        int[] exit = {1};
        WalStreamer[] streamer = new WalStreamer[1];
        // SIGTERM is how a service manager stops us: store what was received, then exit 0.
        Thread hook = new Thread(() -> {
            if (streamer[0] != null) {
                streamer[0].stop();
            }
            try {
                if (done.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    Runtime.getRuntime().halt(exit[0]);
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "wal-stream-stop");
        try {
            // No repository lock: WAL writers run for days and must not block prune, which never deletes WAL
            // newer than the oldest base backup, i.e. never what they write.
            try (Repository repo = Repos.open(g)) {
                streamer[0] = new WalStreamer(new WalArchive(repo),
                        new WalStreamer.Options(conn, slot, createSlot, Duration.ofMillis(flushMillis)), s -> Out.info(g, s));
                Runtime.getRuntime().addShutdownHook(hook);
                streamer[0].run();
                Out.info(g, "stopped; WAL stored up to " + streamer[0].storedUpTo());
            }
            exit[0] = 0;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException shuttingDownOrNeverAdded) {
                // the hook is running (SIGTERM) and ends the process itself, or was never added
            }
        }
        return 0;
    }
}
