package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.source.postgres.cluster.LocalCluster;
import dev.lifeboat.source.postgres.cluster.PgBinaries;
import dev.lifeboat.source.postgres.cluster.ServerUser;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.LifeboatProcess;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Helpers for physical backup tests: a streaming process, restored servers, and reading rows back. */
final class PhysicalFixture {
    private PhysicalFixture() {
    }

    static String url(LocalCluster pg) {
        return url(pg.port());
    }

    static String url(int port) {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    }

    static void execute(int port, String... sql) throws SQLException {
        try (Connection c = connect(port, "postgres"); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /** Restores with --start on a free port; returns the port. */
    static int restoreAndStart(Cli cli, Path data, String... more) {
        int port;
        try {
            port = freePort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> args = new ArrayList<>(List.of("pg", "restore", "--physical", "--data-dir", data.toString(),
                "--start", "--port", String.valueOf(port)));
        args.addAll(List.of(more));
        Cli.Run r = cli.ok(args.toArray(new String[0]));
        if (!r.out().contains("promoted")) {
            throw new AssertionError(r.toString());
        }
        return port;
    }

    /** wal-stream in its own JVM (stopped with SIGTERM, like a service manager would); output goes to log. */
    static Process startStream(Cli cli, String url, String slot, Path log) throws IOException {
        ProcessBuilder pb = LifeboatProcess.builder(cli.repo(), "pw", "pg", "wal-stream", "--db", url, "--slot", slot,
                "--create-slot");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("streaming WAL from")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("wal-stream did not start: " + Files.readString(log));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        return p;
    }

    /** Stops wal-stream with SIGTERM and returns its exit code. */
    static int stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("wal-stream did not stop on SIGTERM");
        }
        return p.exitValue();
    }

    /** Waits until the slot confirms WAL up to lsn, i.e. the streamer has stored it. */
    static void awaitStored(LocalCluster pg, String slot, String lsn, Path log) throws Exception {
        awaitStored(pg.port(), slot, lsn, log);
    }

    static void awaitStored(int port, String slot, String lsn, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Connection c = connect(port, "postgres"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT restart_lsn >= '" + lsn + "'::pg_lsn FROM pg_replication_slots "
                         + "WHERE slot_name = '" + slot + "'")) {
                if (rs.next() && rs.getBoolean(1)) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("WAL up to " + lsn + " was not confirmed; wal-stream said: " + Files.readString(log));
    }

    static String currentLsn(LocalCluster pg) throws SQLException {
        return currentLsn(pg.port());
    }

    static String currentLsn(int port) throws SQLException {
        try (Connection c = connect(port, "postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Connection connect(int port, String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db + "?user=postgres");
    }

    static List<Long> ids(int port, String db, String table) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = connect(port, db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM " + table + " ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    /** Stops a server lifeboat started on a restored data directory. */
    static void stopServer(Path data) throws Exception {
        if (!Files.exists(data.resolve("postmaster.pid"))) {
            return;
        }
        PgBinaries bin = PgBinaries.newest(java.util.Optional.empty());
        Process p = new ProcessBuilder(ServerUser.get().command(List.of(bin.tool("pg_ctl").toString(), "-D", data.toString(),
                "-m", "immediate", "-w", "stop"))).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(60, TimeUnit.SECONDS);
    }
}
