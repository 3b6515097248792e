package dev.lifeboat.source.postgres.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived command and captures its combined output. */
final class Exec {

    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private Exec() {
    }

    static Result run(List<String> command, Path workDir, Duration timeout) {
        Path out = null;
        try {
            // Output goes to a file, not a pipe: pg_ctl forks the postmaster, and a daemon that
            // inherited our pipe would keep a reader blocked long after pg_ctl has exited.
            out = Files.createTempFile("lifeboat-exec-", ".out");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            scrubLibpqEnvironment(pb.environment());
            Process process = pb.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new ClusterException(String.join(" ", command) + " did not finish within "
                        + timeout.toSeconds() + "s");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new ClusterException("could not run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while running " + String.join(" ", command), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a stray temp file is not worth failing over
                }
            }
        }
    }

    /** Like {@link #run} but fails with the command's output when it exits non-zero. */
    static String check(List<String> command, Path workDir, Duration timeout) {
        Result r = run(command, workDir, timeout);
        if (!r.ok()) {
            throw new ClusterException(String.join(" ", command) + " failed (exit " + r.exitCode() + "): "
                    + r.output());
        }
        return r.output();
    }

    /** The caller's PGDATA, PGPORT, PGHOST... would silently redirect initdb, pg_ctl or psql. */
    static void scrubLibpqEnvironment(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("PG"));
    }
}
