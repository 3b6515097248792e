package dev.lifeboat.source.postgres.cluster;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** The temporary directory each cluster keeps its log, Unix socket and (usually) data in. */
public final class WorkDirs {

    private WorkDirs() {
    }

    /** {@code base == null} means the system temp directory. */
    static Path create(Path base, ServerUser user) {
        Path parent = base != null ? base : defaultBase(user);
        try {
            Files.createDirectories(parent);
            user.checkReachable(parent.resolve("x"));
            // Created 0700 and handed to the server user: it holds the Unix socket, and with trust
            // authentication other local users must not reach it. We are that user or root, so we
            // can still read the log.
            Path dir = Files.createTempDirectory(parent, "lifeboat-pg-");
            Files.createFile(dir.resolve("server.log"));
            user.own(dir);
            return dir;
        } catch (IOException e) {
            throw new ClusterException("could not create a work directory under " + parent + ": " + e, e);
        }
    }

    /**
     * The system temp directory, unless the server user cannot reach it (e.g. a per-user 0700 temp
     * dir) or it is so long that the Unix socket path would pass the ~107 byte limit.
     */
    private static Path defaultBase(ServerUser user) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        try {
            user.checkReachable(tmp.resolve("x"));
        } catch (ClusterException e) {
            return Path.of("/tmp");
        }
        return tmp.toString().length() <= 50 ? tmp : Path.of("/tmp");
    }

    /** Deletes a directory tree; also used for Lifeboat's own scratch directories. */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
