package dev.lifeboat.source.postgres;

import dev.lifeboat.source.postgres.cluster.PgBinaries;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Starts a PostgreSQL client tool (pg_dump, pg_restore, psql) with the connection's environment and collects its stderr. */
public final class PgTool {
    private final Process process;
    private final String name;
    private final Deque<String> errors = new ArrayDeque<>();
    private final Thread stderrReader;

    private PgTool(Process process, String name, Consumer<String> onLine) {
        this.process = process;
        this.name = name;
        this.stderrReader = dev.lifeboat.util.Workers.startDaemon(name + "-stderr", () -> readStderr(onLine));
    }

    /** Starts {@code tool} with {@code args}; stdout goes where {@code stdout} says. */
    public static PgTool start(Path tool, List<String> args, PgConn conn, ProcessBuilder.Redirect stdin,
                               ProcessBuilder.Redirect stdout, Consumer<String> onLine) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(stdin).redirectOutput(stdout);
        if (conn != null) {
            conn.applyTo(pb);
        }
        String name = tool.getFileName().toString();
        try {
            return new PgTool(pb.start(), name, onLine);
        } catch (IOException e) {
            throw new PgException("cannot run " + tool + ": " + e.getMessage(), e);
        }
    }

    /** The tool of the server's major version, with a clear message naming what to install when it is missing. */
    public static Path find(String tool, int serverMajor, Optional<Path> configured) {
        return PgBinaries.forMajor(serverMajor, configured).tool(tool);
    }

    private void readStderr(Consumer<String> onLine) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (onLine != null) {
                    onLine.accept(line);
                }
                if (!isChatter(line)) {
                    synchronized (errors) {
                        errors.addLast(line);
                        if (errors.size() > 20) {
                            errors.removeFirst();
                        }
                    }
                }
            }
        } catch (IOException ignored) {
            // the process is gone; what we have read is all there is
        }
    }

    /** Verbose progress lines are not errors; keeps the reported error to what the tool complained about. */
    private static boolean isChatter(String line) {
        return line.matches("^(pg_dump|pg_restore|pg_dumpall): (?!error|warning|detail|hint|fatal).*");
    }

    public Process process() {
        return process;
    }

    public int waitFor() {
        try {
            int code = process.waitFor();
            stderrReader.join(5000);
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new PgException(name + " was interrupted");
        }
    }

    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    public boolean saidSomething() {
        synchronized (errors) {
            return !errors.isEmpty();
        }
    }

    /** The tool's own complaint, one line: the first error line, else the last thing it said. */
    public String error() {
        List<String> lines;
        synchronized (errors) {
            lines = new ArrayList<>(errors);
        }
        for (String l : lines) {
            if (l.contains("error:") || l.contains("ERROR:") || l.contains("FATAL:")) {
                return l.strip();
            }
        }
        return lines.isEmpty() ? name + " exited with code " + process.exitValue() : lines.get(lines.size() - 1).strip();
    }

    /** Runs to completion and fails with the tool's own error when it exits non-zero. */
    public void check() {
        int code = waitFor();
        if (code != 0) {
            throw new PgException(name + " failed: " + error());
        }
    }
}
