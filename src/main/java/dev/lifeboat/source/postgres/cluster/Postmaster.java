package dev.lifeboat.source.postgres.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Finding, killing and waiting for postgres processes we did not fork ourselves (pg_ctl did). */
final class Postmaster {

    private Postmaster() {
    }

    /**
     * The running postgres process named on the first line of a lock file such as postmaster.pid,
     * if there is one.
     */
    static OptionalLong runningPid(Path lockFile) {
        try {
            String first = Files.readAllLines(lockFile).stream().findFirst().orElse("").strip();
            long pid = Long.parseLong(first);
            return runningPostgres(pid) ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (NoSuchFileException | NumberFormatException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Lock files left by a killed server (postmaster.pid, the socket's .lock) name a pid that may
     * still exist as a zombie; postgres would take it for a running server and refuse to start.
     */
    static void removeIfStale(Path lockFile) {
        if (Files.exists(lockFile) && runningPid(lockFile).isEmpty()) {
            try {
                Files.deleteIfExists(lockFile);
            } catch (IOException e) {
                throw new ClusterException("could not remove stale " + lockFile + ": " + e, e);
            }
        }
    }

    /** SIGKILLs a process and all its descendants, and waits until they are gone. */
    static void killTree(long pid) {
        ProcessHandle.of(pid).ifPresent(root -> {
            List<ProcessHandle> all = new ArrayList<>();
            all.add(root);
            root.descendants().forEach(all::add);
            all.forEach(ProcessHandle::destroyForcibly);
            all.forEach(p -> awaitExit(p.pid(), Duration.ofSeconds(30)));
        });
    }

    /**
     * Whether a process still runs. The postmaster is not our child: once it exits, it stays a
     * zombie until init reaps it, which in containers can take seconds or never happen, and
     * ProcessHandle counts zombies as alive. So on Linux a zombie counts as gone.
     */
    static boolean alive(long pid) {
        if (Files.isDirectory(Path.of("/proc/self"))) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                return state != 'Z' && state != 'X';
            } catch (IOException | RuntimeException e) {
                return false; // no /proc entry: the process is gone
            }
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static void awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (alive(pid)) {
            if (System.nanoTime() > deadline) {
                throw new ClusterException("PostgreSQL process " + pid + " did not exit within "
                        + timeout.toSeconds() + "s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException("interrupted while waiting for PostgreSQL process " + pid + " to exit", e);
            }
        }
    }

    /** A stale postmaster.pid may name a pid since reused by another program, which we must never kill. */
    private static boolean runningPostgres(long pid) {
        return alive(pid) && ProcessHandle.of(pid).flatMap(p -> p.info().command())
                .map(c -> Path.of(c).getFileName().toString())
                .map(name -> name.startsWith("postgres") || name.startsWith("postmaster"))
                .orElse(true); // can't see the command: not ours to judge, and pg_ctl checks again
    }
}
