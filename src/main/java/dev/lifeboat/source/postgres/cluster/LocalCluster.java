package dev.lifeboat.source.postgres.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A throwaway PostgreSQL server run as a child process, reachable only on 127.0.0.1 with trust
 * authentication. Used by the test suite and by {@code lifeboat pg verify}'s sandbox.
 *
 * <p>Everything lives in one temporary work directory (data directory, log, Unix socket) that
 * {@link #close()} deletes. A JVM shutdown hook closes clusters that were never closed.
 */
public final class LocalCluster implements AutoCloseable {

    public static final String HOST = "127.0.0.1";

    private static final int PORT_ATTEMPTS = 5;
    private static final int LOG_TAIL_LINES = 20;
    private static final Set<LocalCluster> OPEN = ConcurrentHashMap.newKeySet();
    private static final Thread SHUTDOWN_HOOK = new Thread(LocalCluster::closeAllOpen, "lifeboat-pg-shutdown");
    private static boolean hookInstalled;

    /**
     * How to create and start a cluster. {@code binaries == null} means the newest installed
     * PostgreSQL; {@code baseDir == null} means the system temp directory.
     */
    public record Options(PgBinaries binaries, String superuser, boolean fsync, Map<String, String> settings,
                          Path baseDir, Duration startTimeout) {

        public Options {
            settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
            settings.keySet().forEach(Options::checkName);
        }

        public static Options defaults() {
            return new Options(null, "postgres", true, Map.of(), null, Duration.ofSeconds(60));
        }

        public Options withBinaries(PgBinaries b) {
            return new Options(b, superuser, fsync, settings, baseDir, startTimeout);
        }

        public Options withSuperuser(String name) {
            return new Options(binaries, name, fsync, settings, baseDir, startTimeout);
        }

        /** Off is for tests only: a crash of the machine (not of the server) can corrupt the cluster. */
        public Options withFsync(boolean on) {
            return new Options(binaries, superuser, on, settings, baseDir, startTimeout);
        }

        /** An extra postgresql.conf setting, e.g. archive_mode=on; the value is quoted for you. */
        public Options withSetting(String name, String value) {
            Map<String, String> s = new LinkedHashMap<>(settings);
            s.put(name, value);
            return new Options(binaries, superuser, fsync, s, baseDir, startTimeout);
        }

        public Options withBaseDir(Path dir) {
            return new Options(binaries, superuser, fsync, settings, dir, startTimeout);
        }

        public Options withStartTimeout(Duration timeout) {
            return new Options(binaries, superuser, fsync, settings, baseDir, timeout);
        }

        private static void checkName(String name) {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
                throw new IllegalArgumentException("not a PostgreSQL setting name: " + name);
            }
        }
    }

    private final PgBinaries binaries;
    private final ServerUser user;
    private final Path workDir;
    private final Path dataDir;
    private final Path logFile;
    private final String superuser;
    private final Duration startTimeout;
    /** Settings for an existing data directory go on the command line so its config files stay untouched. */
    private final List<String> commandLineSettings = new ArrayList<>();
    private String originalConf;
    private int port;
    private boolean closed;

    private LocalCluster(PgBinaries binaries, Path workDir, Path dataDir, Options options) {
        this.binaries = binaries;
        this.user = ServerUser.get();
        this.workDir = workDir;
        this.dataDir = dataDir;
        this.logFile = workDir.resolve("server.log");
        this.superuser = options.superuser();
        this.startTimeout = options.startTimeout();
    }

    /** Creates a fresh cluster with initdb and starts it on a free port. */
    public static LocalCluster start(Options options) {
        PgBinaries bin = binariesFor(options);
        Path work = WorkDirs.create(options.baseDir(), ServerUser.get());
        LocalCluster c = new LocalCluster(bin, work, work.resolve("data"), options).opened();
        try {
            c.initdb(options.fsync());
            c.originalConf = Files.readString(c.dataDir.resolve("postgresql.conf"));
            Files.writeString(c.dataDir.resolve("pg_hba.conf"), hbaConf());
            c.startOnFreePort(options, true);
            return c;
        } catch (IOException e) {
            c.close();
            throw new ClusterException("could not prepare cluster in " + work + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Starts a server on an existing data directory, e.g. a restored physical backup. The data
     * directory is handed to the server user but its config files are not edited: listen address,
     * port, socket directory, a trust-only pg_hba.conf, {@code archive_mode=off} (override it in
     * {@code options.settings()}) and {@code options.settings()} are passed on the command line
     * instead, where they win over postgresql.conf and postgresql.auto.conf. A missing
     * postgresql.conf (Debian keeps it in /etc) is replaced by an empty one in the work directory.
     * {@link #close()} stops the server but keeps the data directory.
     *
     * @param port the port to use, or 0 for a free one
     */
    public static LocalCluster startExisting(Path dataDir, int port, Options options) {
        if (!Files.isRegularFile(dataDir.resolve("PG_VERSION"))) {
            throw new ClusterException(dataDir + " is not a PostgreSQL data directory (no PG_VERSION)");
        }
        PgBinaries bin = binariesFor(options);
        ServerUser.get().checkReachable(dataDir);
        Path work = WorkDirs.create(options.baseDir(), ServerUser.get());
        LocalCluster c = new LocalCluster(bin, work, dataDir.toAbsolutePath().normalize(), options).opened();
        try {
            c.user.own(c.dataDir);
            // postgres refuses a data directory that group or others can enter
            Files.setPosixFilePermissions(c.dataDir, PosixFilePermissions.fromString("rwx------"));
            Path hba = work.resolve("pg_hba.conf");
            Files.writeString(hba, hbaConf());
            c.user.own(hba);
            c.commandLineSettings.addAll(List.of(
                    "listen_addresses=" + HOST, "unix_socket_directories=" + work, "hba_file=" + hba));
            if (!Files.exists(c.dataDir.resolve("postgresql.conf"))) {
                // Debian keeps postgresql.conf in /etc, so backups of such clusters have none
                Path conf = Files.createFile(work.resolve("postgresql.conf"));
                c.user.own(conf);
                c.commandLineSettings.add("config_file=" + conf);
            }
            // The source's archive_command would push the sandbox's WAL into the real archive.
            c.commandLineSettings.add("archive_mode=off");
            if (!options.fsync()) {
                c.commandLineSettings.add("fsync=off");
            }
            options.settings().forEach((k, v) -> c.commandLineSettings.add(k + "=" + v));
            if (port == 0) {
                c.startOnFreePort(options, false);
            } else {
                c.port = port;
                c.startServer();
            }
            return c;
        } catch (IOException e) {
            c.close();
            throw new ClusterException("could not prepare " + dataDir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public String host() {
        return HOST;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The temporary directory holding the log and Unix socket (and the data directory, for fresh clusters). */
    public Path workDir() {
        return workDir;
    }

    public Path logFile() {
        return logFile;
    }

    public String superuser() {
        return superuser;
    }

    public PgBinaries binaries() {
        return binaries;
    }

    /** The OS user the server runs as. */
    public ServerUser serverUser() {
        return user;
    }

    /** A pgjdbc URL that carries the user, so it is usable on its own. */
    public String jdbcUrl(String db) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + encode(db) + "?user=" + encode(superuser);
    }

    /** A libpq URI, for psql, pg_dump and friends. */
    public String connectionUri(String db) {
        return "postgresql://" + encode(superuser) + "@" + HOST + ":" + port + "/" + encode(db);
    }

    public Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(db));
    }

    /** The postmaster's pid, if a server is running on this data directory. */
    public synchronized OptionalLong pid() {
        return Postmaster.runningPid(dataDir.resolve("postmaster.pid"));
    }

    public boolean running() {
        return pid().isPresent();
    }

    /** Fast shutdown: rolls back open transactions, checkpoints, exits. */
    public synchronized void stop() {
        OptionalLong pid = pid();
        if (pid.isEmpty()) {
            return;
        }
        Exec.Result r = Exec.run(user.command(List.of(binaries.tool("pg_ctl").toString(), "-D", dataDir.toString(),
                "-m", "fast", "-w", "-t", String.valueOf(startTimeout.toSeconds()), "stop")),
                workDir, startTimeout.plusSeconds(30));
        if (!r.ok()) {
            throw new ClusterException("could not stop PostgreSQL in " + dataDir + ": " + r.output() + logTailForMessage());
        }
        // pg_ctl returns once postmaster.pid is gone, a moment before the process itself exits
        Postmaster.awaitExit(pid.getAsLong(), Duration.ofSeconds(30));
    }

    /**
     * SIGKILLs the postmaster and its children, like a crash: no shutdown checkpoint, so the next
     * start runs crash recovery. Children die too so the next start is not refused because the
     * old shared memory is still attached.
     */
    public synchronized void kill() {
        pid().ifPresent(Postmaster::killTree);
    }

    /** Starts the server again on the same data directory and port, e.g. after {@link #stop()} or {@link #kill()}. */
    public synchronized void startAgain() {
        if (closed) {
            throw new IllegalStateException("cluster is closed");
        }
        if (running()) {
            throw new IllegalStateException("PostgreSQL is already running on port " + port);
        }
        startServer();
    }

    /** Stops the server (killing it if it won't stop) and deletes the work directory. Never skipped half-way. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        OPEN.remove(this);
        RuntimeException failure = null;
        try {
            stop();
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            kill(); // no-op after a clean stop; the fallback when stop failed
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        try {
            WorkDirs.delete(workDir);
        } catch (IOException e) {
            failure = failure == null ? new ClusterException("could not delete " + workDir + ": " + e, e) : failure;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The last lines of the server log, for error messages and test diagnostics. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no server log at " + logFile + ")";
        }
    }

    @Override
    public String toString() {
        return "LocalCluster[" + binaries.version() + " on " + HOST + ":" + port + ", " + dataDir + "]";
    }

    private static PgBinaries binariesFor(Options options) {
        return options.binaries() != null ? options.binaries() : PgBinaries.newest(Optional.empty());
    }

    private void initdb(boolean fsync) {
        List<String> cmd = new ArrayList<>(List.of(binaries.tool("initdb").toString(), "-D", dataDir.toString(),
                "-U", superuser, "--auth=trust", "--encoding=UTF8", "--locale=C"));
        if (!fsync) {
            cmd.add("--no-sync"); // initdb's own fsync of ~1000 files dominates its run time
        }
        Exec.check(user.command(cmd), workDir, Duration.ofMinutes(5));
    }

    private void startOnFreePort(Options options, boolean writeConf) throws IOException {
        for (int attempt = 1; ; attempt++) {
            port = freePort();
            if (writeConf) {
                writeConf(options);
            }
            long logSizeBefore = Files.exists(logFile) ? Files.size(logFile) : 0;
            try {
                startServer();
                return;
            } catch (ClusterException e) {
                // Between closing our probe socket and the postmaster binding it, someone else may take the port.
                if (attempt >= PORT_ATTEMPTS || !portTaken(logSizeBefore)) {
                    throw e;
                }
            }
        }
    }

    private void writeConf(Options options) throws IOException {
        StringBuilder conf = new StringBuilder(originalConf).append("\n# Added by Lifeboat LocalCluster\n");
        Map<String, String> s = new LinkedHashMap<>();
        s.put("listen_addresses", HOST);
        s.put("port", String.valueOf(port));
        s.put("unix_socket_directories", workDir.toString());
        s.put("fsync", options.fsync() ? "on" : "off");
        s.put("wal_level", "replica");
        s.put("max_wal_senders", "10");
        s.put("max_replication_slots", "10");
        s.putAll(options.settings());
        s.forEach((k, v) -> conf.append(k).append(" = '").append(v.replace("'", "''")).append("'\n"));
        Files.writeString(dataDir.resolve("postgresql.conf"), conf.toString());
    }

    private void startServer() {
        Postmaster.removeIfStale(dataDir.resolve("postmaster.pid"));
        Postmaster.removeIfStale(workDir.resolve(".s.PGSQL." + port + ".lock"));
        List<String> cmd = new ArrayList<>(List.of(binaries.tool("pg_ctl").toString(), "-D", dataDir.toString(),
                "-l", logFile.toString(), "-w", "-t", String.valueOf(startTimeout.toSeconds())));
        List<String> serverArgs = new ArrayList<>();
        if (!commandLineSettings.isEmpty()) {
            serverArgs.add("-p");
            serverArgs.add(String.valueOf(port));
            commandLineSettings.forEach(s -> {
                serverArgs.add("-c");
                serverArgs.add(s);
            });
            // pg_ctl hands -o to /bin/sh, so every word is quoted
            cmd.add("-o");
            cmd.add(String.join(" ", serverArgs.stream().map(LocalCluster::shellQuote).toList()));
        }
        cmd.add("start");
        Exec.Result r = Exec.run(user.command(cmd), workDir, startTimeout.plusSeconds(30));
        if (!r.ok()) {
            killQuietly(); // pg_ctl gives up on a slow start but leaves the server running
            throw new ClusterException("PostgreSQL " + binaries.version() + " failed to start on " + HOST + ":" + port
                    + " (" + dataDir + "): " + r.output().replace('\n', ' ') + logTailForMessage());
        }
        awaitConnection();
    }

    /** pg_ctl -w only reads postmaster.pid; a real login proves TCP and pg_hba.conf work too. */
    private void awaitConnection() {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        SQLException last;
        do {
            try (Connection c = DriverManager.getConnection(jdbcUrl("postgres") + "&connectTimeout=5")) {
                return;
            } catch (SQLException e) {
                last = e;
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                if (!state.startsWith("08") && !state.equals("57P03")) {
                    return; // the server answered, e.g. "database postgres does not exist" in a restored cluster
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException("interrupted while waiting for PostgreSQL on port " + port, e);
            }
        } while (System.nanoTime() < deadline);
        throw new ClusterException("PostgreSQL started but accepts no connection on " + HOST + ":" + port + ": "
                + last.getMessage() + logTailForMessage());
    }

    private boolean portTaken(long logOffset) throws IOException {
        if (!Files.exists(logFile)) {
            return false;
        }
        byte[] all = Files.readAllBytes(logFile);
        String recent = new String(all, (int) Math.min(logOffset, all.length),
                (int) (all.length - Math.min(logOffset, all.length)), StandardCharsets.UTF_8);
        return recent.contains("Address already in use");
    }

    private void killQuietly() {
        try {
            kill();
        } catch (RuntimeException ignored) {
            // the start failure is what the caller needs to see
        }
    }

    private String logTailForMessage() {
        return "\n--- last lines of " + logFile + " ---\n" + logTail(LOG_TAIL_LINES);
    }

    private static synchronized void installShutdownHook() {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(SHUTDOWN_HOOK);
            hookInstalled = true;
        }
    }

    private LocalCluster opened() {
        installShutdownHook();
        OPEN.add(this);
        return this;
    }

    private static void closeAllOpen() {
        for (LocalCluster c : List.copyOf(OPEN)) {
            try {
                c.close();
            } catch (RuntimeException e) {
                System.err.println("lifeboat: could not clean up " + c + ": " + e.getMessage());
            }
        }
    }

    private static String hbaConf() {
        return """
                # Written by Lifeboat: a throwaway cluster reachable only from this machine.
                local   all           all                    trust
                host    all           all   127.0.0.1/32     trust
                host    all           all   ::1/128          trust
                local   replication   all                    trust
                host    replication   all   127.0.0.1/32     trust
                host    replication   all   ::1/128          trust
                """;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    private static String encode(String s) {
        // URLEncoder is form encoding; libpq does not read '+' as a space
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
