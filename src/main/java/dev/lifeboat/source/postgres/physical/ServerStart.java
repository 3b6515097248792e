package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.source.postgres.PgException;
import dev.lifeboat.source.postgres.cluster.PgBinaries;
import dev.lifeboat.source.postgres.cluster.ServerUser;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts a restored server and follows its log until recovery has reached its target and the
 * server has promoted (or has failed). The server keeps running afterwards; its log is
 * {@code log/lifeboat-restore.log} in the data directory.
 */
final class ServerStart {
    private static final Pattern LAST_XACT = Pattern.compile("last completed transaction was at log time (.+)$");
    private static final Pattern STOPPING = Pattern.compile("(recovery stopping .+)$");
    private static final Pattern SOCKET_DIRS = Pattern.compile("^\\s*unix_socket_directories\\s*=?\\s*'([^']*)'");
    private static final Pattern PID = Pattern.compile("\\[(\\d+)\\]");
    private static final Pattern REDO_DONE = Pattern.compile("redo done at ([0-9A-F]+/[0-9A-F]+)");

    private final Path data;
    private final int port;
    private final ServerUser user;
    private final PgBinaries bin;
    private final Duration timeout;
    private final java.util.function.Consumer<String> progress;

    ServerStart(Path data, int port, ServerUser user, PgBinaries bin, Duration timeout,
                java.util.function.Consumer<String> progress) {
        this.data = data;
        this.port = port;
        this.user = user;
        this.bin = bin;
        this.timeout = timeout;
        this.progress = progress;
    }

    /**
     * A FATAL from the postmaster or the startup process ends recovery; one from a client's
     * session (someone connecting too early) does not.
     */
    private boolean fromServerItself(String pid, String startupPid) {
        if (pid == null || pid.equals(startupPid)) {
            return true;
        }
        try {
            List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"));
            return lines.isEmpty() || lines.get(0).strip().equals(pid);
        } catch (IOException e) {
            return true; // no postmaster.pid yet: nothing but the server itself can have logged
        }
    }

    /** Whether the socket directories the restored configuration names (if any) exist on this machine. */
    private boolean socketDirsExist() throws IOException {
        String value = null;
        for (String conf : List.of("postgresql.conf", "postgresql.auto.conf")) {
            Path f = data.resolve(conf);
            if (!Files.exists(f)) {
                continue;
            }
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                Matcher m = SOCKET_DIRS.matcher(line);
                if (m.find()) {
                    value = m.group(1);
                }
            }
        }
        if (value == null) {
            return true;
        }
        for (String dir : value.split(",")) {
            String d = dir.strip();
            if (!d.isEmpty() && !d.startsWith("@") && !Files.isDirectory(Path.of(d))) {
                return false;
            }
        }
        return true;
    }

    PhysicalRestore.Started run() throws IOException {
        Path logDir = data.resolve("log");
        Files.createDirectories(logDir);
        Path log = logDir.resolve("lifeboat-restore.log");
        Files.deleteIfExists(log);
        Files.createFile(log);
        user.own(logDir);
        // the log is how recovery is followed: it must reach our file, with its LOG lines, whatever the backed-up config says
        String serverOptions = "-p " + port + " -c logging_collector=off -c log_destination=stderr -c log_min_messages=warning";
        if (!socketDirsExist()) {
            // the source's socket directory is not on this machine: listen on TCP only rather than fail
            serverOptions += " -c unix_socket_directories=''";
            progress.accept("note: the backed-up unix_socket_directories do not exist here; the server listens on TCP only");
        }
        List<String> cmd = user.command(List.of(bin.tool("pg_ctl").toString(), "-D", data.toString(), "-l", log.toString(),
                "-W", "-o", serverOptions, "start"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(data.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new PgException("pg_ctl could not start the restored server: " + out.lines().reduce((a, b) -> b).orElse(""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        progress.accept("server started on port " + port + "; recovering (log: " + log + ")");
        String last = null;
        String stopping = null;
        String redo = null;
        long deadline = System.nanoTime() + timeout.toNanos();
        long pos = 0;
        boolean sawPid = false;
        String startupPid = null;
        StringBuilder partial = new StringBuilder();
        while (true) {
            List<String> lines = new ArrayList<>();
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                if (f.length() > pos) {
                    f.seek(pos);
                    byte[] b = new byte[(int) (f.length() - pos)];
                    f.readFully(b);
                    pos += b.length;
                    partial.append(new String(b, StandardCharsets.UTF_8));
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        lines.add(partial.substring(0, nl));
                        partial.delete(0, nl + 1);
                    }
                }
            }
            for (String line : lines) {
                Matcher m;
                if ((m = LAST_XACT.matcher(line)).find()) {
                    last = m.group(1);
                }
                if ((m = STOPPING.matcher(line)).find()) {
                    stopping = m.group(1);
                }
                if ((m = REDO_DONE.matcher(line)).find()) {
                    redo = m.group(1);
                }
                Matcher pidm = PID.matcher(line);
                String pid = pidm.find() ? pidm.group(1) : null;
                if (line.contains("database system was ") && pid != null) {
                    startupPid = pid;
                }
                if ((line.contains("FATAL:") || line.contains("PANIC:")) && fromServerItself(pid, startupPid)) {
                    throw new PgException("recovery failed: " + line.substring(line.indexOf(line.contains("FATAL:") ? "FATAL:" : "PANIC:"))
                            .strip() + " (server log: " + log + ")");
                }
                if (line.contains("database system is ready to accept connections")) {
                    return new PhysicalRestore.Started(port, last, stopping, redo, log);
                }
            }
            boolean pidFile = Files.exists(data.resolve("postmaster.pid"));
            sawPid |= pidFile;
            if (sawPid && !pidFile) {
                throw new PgException("the restored server stopped during recovery (server log: " + log + ")");
            }
            if (System.nanoTime() > deadline) {
                throw new PgException("recovery did not finish within " + timeout.toSeconds() + " s; the server is still "
                        + "running (server log: " + log + ")");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }
}
