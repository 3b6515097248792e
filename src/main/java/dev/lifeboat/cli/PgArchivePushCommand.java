package dev.lifeboat.cli;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.source.postgres.physical.ArchivePush;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "archive-push", mixinStandardHelpOptions = true,
        description = {"For archive_command: store a WAL file in the repository, e.g.",
                "  archive_command = 'LIFEBOAT_PASSWORD_FILE=/etc/lifeboat/pass lifeboat -r REPO pg archive-push %p'",
                "A background pusher stores every segment the server has marked ready, ahead of the server's calls;",
                "this command returns once its segment is durably stored (usually at once), never before."})
final class PgArchivePushCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;

    @Parameters(index = "0", paramLabel = "WALFILE", description = "The WAL file (%p), relative to the data directory.")
    Path walFile;
    @Option(names = "--spool", paramLabel = "DIR", description = "Directory for the pusher's markers and log (default: $TMPDIR/lifeboat-spool-USER).")
    Path spool;
    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Longest wait for the segment to be stored (default: ${DEFAULT-VALUE}).")
    long timeout = 120;
    @Option(names = "--idle", paramLabel = "SECONDS", description = "The pusher exits after this long without new WAL (default: ${DEFAULT-VALUE}).")
    long idle = 60;
    @Option(names = "--pusher", hidden = true, description = "Run as the background pusher.")
    boolean pusher;

    @Override
    public Integer call() throws Exception {
        Path file = walFile.toAbsolutePath().normalize();
        Path spoolDir = spool != null ? spool : Path.of(System.getProperty("java.io.tmpdir"),
                "lifeboat-spool-" + System.getProperty("user.name"));
        if (pusher) {
            // No repository lock: WAL writers run for days and must not block prune, which never deletes WAL
            // newer than the oldest base backup, i.e. never what they write.
            try (Repository repo = Repos.open(g)) {
                Path log = spoolDir.resolve("pusher.log");
                ArchivePush.runPusher(repo, file.getParent(), spoolDir, Duration.ofSeconds(idle), Math.max(2, g.threads),
                        line -> append(log, line));
            }
            return 0;
        }
        ArchivePush.await(file, spoolDir, Duration.ofSeconds(timeout), () -> startPusher(file, spoolDir));
        return 0;
    }

    private void startPusher(Path file, Path spoolDir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of("pg", "archive-push", "-q"));
        cmd.add("--repo=" + g.repoLocation());
        if (g.passwordFile != null) {
            cmd.add("--password-file=" + g.passwordFile.toAbsolutePath());
        }
        cmd.addAll(List.of("--pusher", "--spool=" + spoolDir, "--idle=" + idle, file.toString()));
        try {
            new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.appendTo(spoolDir.resolve("pusher.log").toFile())).start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot start the archive pusher: " + e.getMessage(), e);
        }
    }

    private static synchronized void append(Path log, String line) {
        try {
            java.nio.file.Files.writeString(log, line + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the log is a convenience; the markers carry the outcome
        }
    }
}
