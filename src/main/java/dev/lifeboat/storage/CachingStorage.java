package dev.lifeboat.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Keeps a local copy of the objects read or written whole through it, so that a command on a
 * remote repository reads its metadata (key files, index files, snapshots, tree packs) from local
 * disk instead of the network. Only objects named by the SHA-256 of their bytes are cached (the
 * last path segment, 64 hex digits), and every read from the cache is checked against that name:
 * a damaged or truncated copy is dropped and read from the backend again, so the cache can make
 * a command faster but never make it wrong. It holds stored (encrypted) objects only.
 *
 * <p>The cache is not a source of truth: callers list the backend to learn which objects exist,
 * and {@link #list} drops cached objects under the listed prefix that the backend no longer has.
 * Failures of the cache itself (full disk, permissions) are ignored; the backend's answer stands.
 */
public final class CachingStorage implements Storage {
    private final Storage backend;
    private final Path dir;

    public CachingStorage(Storage backend, Path dir) {
        this.backend = backend;
        this.dir = dir;
    }

    public Storage backend() {
        return backend;
    }

    @Override
    public void save(String name, byte[] data) throws IOException {
        backend.save(name, data);
        if (cacheable(name)) {
            keep(name, data);
        }
    }

    @Override
    public void saveFile(String name, Path source) throws IOException {
        if (cacheable(name)) {
            keepFile(name, source); // before the backend, which may move the file away
        }
        backend.saveFile(name, source);
    }

    @Override
    public byte[] load(String name, long offset, int length) throws IOException {
        return backend.load(name, offset, length);
    }

    @Override
    public byte[] load(String name, long offset, int length, byte[] reuse) throws IOException {
        return backend.load(name, offset, length, reuse);
    }

    @Override
    public void read(String name, long offset, int length, java.nio.ByteBuffer dst) throws IOException {
        backend.read(name, offset, length, dst);
    }

    @Override
    public byte[] load(String name) throws IOException {
        if (!cacheable(name)) {
            return backend.load(name);
        }
        byte[] cached = cached(name);
        if (cached != null) {
            return cached;
        }
        byte[] data = backend.load(name);
        if (matchesName(name, data)) {
            keep(name, data); // a copy that does not match its name is the caller's to report, not to keep
        }
        return data;
    }

    /** The cached copy of name when it is intact, else null (a damaged copy is removed). */
    public byte[] cached(String name) {
        if (!cacheable(name)) {
            return null;
        }
        Path file = file(name);
        try {
            byte[] data = dev.lifeboat.util.SlicedIo.readAll(file);
            if (matchesName(name, data)) {
                return data;
            }
            Files.deleteIfExists(file);
        } catch (IOException | UncheckedIOException e) {
            // not cached, or unreadable: the backend has it
        }
        return null;
    }

    /** Names cached under prefix (without asking the backend). */
    public List<String> cachedNames(String prefix) {
        List<String> out = new ArrayList<>();
        walk(prefix, out::add);
        out.sort(null);
        return out;
    }

    /** Drops cached objects under prefix for which keep is false. */
    public void retain(String prefix, Predicate<String> keep) {
        walk(prefix, name -> {
            if (!keep.test(name)) {
                forget(name);
            }
        });
    }

    @Override
    public long size(String name) throws IOException {
        return backend.size(name);
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        List<ObjectInfo> listed = backend.list(prefix);
        Set<String> names = new HashSet<>();
        for (ObjectInfo o : listed) {
            names.add(o.name());
        }
        retain(prefix, names::contains);
        return listed;
    }

    @Override
    public void delete(String name) throws IOException {
        backend.delete(name);
        forget(name);
    }

    @Override
    public Path stagingDir() throws IOException {
        return backend.stagingDir();
    }

    @Override
    public String location() {
        return backend.location();
    }

    @Override
    public boolean remote() {
        return backend.remote();
    }

    @Override
    public void close() throws IOException {
        backend.close();
    }

    /** Content-addressed names only: anything else could change under the same name. */
    static boolean cacheable(String name) {
        int slash = name.lastIndexOf('/');
        if (slash <= 0 || name.length() - slash - 1 != 64 || name.contains("..")) {
            return false;
        }
        for (int i = slash + 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchesName(String name, byte[] data) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);
            return HexFormat.of().formatHex(digest).equals(name.substring(name.lastIndexOf('/') + 1));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path file(String name) {
        return dir.resolve(name);
    }

    private void keep(String name, byte[] data) {
        try {
            Path tmp = tempFor(name);
            try {
                Files.write(tmp, data);
                publish(tmp, file(name));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | UncheckedIOException e) {
            // a cache that cannot be written is only slower
        }
    }

    private void keepFile(String name, Path source) {
        try {
            Path tmp = tempFor(name);
            try {
                Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
                publish(tmp, file(name));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | UncheckedIOException e) {
            // as above
        }
    }

    private Path tempFor(String name) throws IOException {
        Path target = file(name);
        Path parent = target.getParent();
        if (!Files.isDirectory(parent)) {
            createPrivateDirectories(parent);
        }
        return parent.resolve(".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    private void createPrivateDirectories(Path parent) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent() == null ? dir : dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException raced) {
                // another process made it
            } catch (UnsupportedOperationException notPosix) {
                Files.createDirectories(dir);
            }
        }
        Files.createDirectories(parent);
    }

    private static void publish(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void dropIfStale(Path tmp) {
        try {
            if (Files.getLastModifiedTime(tmp).toMillis() < System.currentTimeMillis() - 3_600_000L) {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            // gone already
        }
    }

    private void forget(String name) {
        try {
            Files.deleteIfExists(file(name));
        } catch (IOException e) {
            // stale copies are never read unless the backend lists them
        }
    }

    /** Visits the cached object names under prefix ("index/", "data/"), one directory level of fan-out deep. */
    private void walk(String prefix, java.util.function.Consumer<String> visit) {
        Path base = file(prefix);
        if (!Files.isDirectory(base)) {
            return;
        }
        try {
            walkDir(base, prefix.endsWith("/") ? prefix : prefix + "/", visit, 0);
        } catch (IOException | UncheckedIOException e) {
            // an unreadable cache lists nothing
        }
    }

    private void walkDir(Path d, String prefix, java.util.function.Consumer<String> visit, int depth) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(d)) {
            for (Path p : entries) {
                String n = p.getFileName().toString();
                if (n.startsWith(".tmp-")) {
                    dropIfStale(p); // left by a killed process
                    continue;
                }
                if (Files.isDirectory(p)) {
                    if (depth < 1) {
                        walkDir(p, prefix + n + "/", visit, depth + 1);
                    }
                } else if (cacheable(prefix + n)) {
                    visit.accept(prefix + n);
                }
            }
        } catch (NoSuchFileException gone) {
            // emptied meanwhile
        }
    }
}
