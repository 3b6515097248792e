package dev.lifeboat.source.postgres;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which files a process and its children hold open, read from /proc. pg_dump writes each data
 * file once and closes it, so a file that exists and is no longer open is complete.
 */
final class OpenFiles {
    private OpenFiles() {
    }

    static boolean supported() {
        return Files.isDirectory(Path.of("/proc/self/fd"));
    }

    static Set<Path> of(ProcessHandle process) {
        return of(tree(process));
    }

    /** The process and its descendants; finding them scans all of /proc, so callers polling often keep the list a while. */
    static java.util.List<Long> tree(ProcessHandle process) {
        try (Stream<ProcessHandle> all = Stream.concat(Stream.of(process), process.descendants())) {
            return all.map(ProcessHandle::pid).toList();
        }
    }

    static Set<Path> of(java.util.List<Long> pids) {
        Set<Path> open = new HashSet<>();
        for (long pid : pids) {
            collect(pid, open);
        }
        return open;
    }

    private static void collect(long pid, Set<Path> out) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    out.add(Files.readSymbolicLink(fd));
                } catch (IOException ignored) {
                    // closed between listing and reading: not open any more
                }
            }
        } catch (IOException ignored) {
            // the process has exited: it holds nothing open
        }
    }
}
