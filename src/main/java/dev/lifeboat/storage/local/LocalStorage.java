package dev.lifeboat.storage.local;

import dev.lifeboat.storage.ObjectInfo;
import dev.lifeboat.storage.ObjectNotFoundException;
import dev.lifeboat.storage.PermanentStorageException;
import dev.lifeboat.storage.Storage;
import dev.lifeboat.util.SlicedIo;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Objects as files under a root directory. Writes go to a temporary file in root/tmp, are
 * fsynced, then renamed into place and the directory fsynced, so a crash leaves either the old
 * state or the complete new object, never a partial one.
 */
public final class LocalStorage implements Storage {
    private final Path root;
    private final Path tmp;

    public LocalStorage(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve("tmp");
    }

    public Path root() {
        return root;
    }

    @Override
    public void save(String name, byte[] data) throws IOException {
        Path temp = newTempFile();
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                SlicedIo.write(ch, data, 0, data.length);
                ch.force(true);
            }
            moveIntoPlace(temp, name);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * A source inside root/tmp (the staging directory) is renamed into place; any other source is
     * copied first. The rename is the last step that can fail, so on failure the source is still there.
     */
    @Override
    public void saveFile(String name, Path source) throws IOException {
        if (!source.toAbsolutePath().startsWith(tmp)) {
            Path temp = newTempFile();
            try {
                Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
                saveFile(name, temp);
            } finally {
                Files.deleteIfExists(temp);
            }
            return;
        }
        try (FileChannel ch = FileChannel.open(source, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        moveIntoPlace(source, name);
    }

    private Path newTempFile() throws IOException {
        Files.createDirectories(tmp);
        Path temp = tmp.resolve(UUID.randomUUID() + ".tmp");
        Files.createFile(temp);
        return temp;
    }

    private void moveIntoPlace(Path temp, String name) throws IOException {
        Path target = resolve(name);
        Path dir = target.getParent();
        Files.createDirectories(dir);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new PermanentStorageException("repository directory does not support atomic rename: " + dir, e);
        }
        syncDirectory(dir);
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot fsync a directory; the rename is still atomic there.
        }
    }

    @Override
    public byte[] load(String name, long offset, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(resolve(name), StandardOpenOption.READ)) {
            return readFully(ch, offset, length, name);
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(name);
        }
    }

    @Override
    public byte[] load(String name, long offset, int length, byte[] reuse) throws IOException {
        try (FileChannel ch = FileChannel.open(resolve(name), StandardOpenOption.READ)) {
            return readFully(ch, offset, length, name, reuse != null && reuse.length >= length ? reuse : new byte[length]);
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(name);
        }
    }

    @Override
    public void read(String name, long offset, int length, java.nio.ByteBuffer dst) throws IOException {
        try (FileChannel ch = FileChannel.open(resolve(name), StandardOpenOption.READ)) {
            dst.clear().limit(length);
            while (dst.hasRemaining()) {
                if (ch.read(dst, offset + dst.position()) < 0) {
                    throw truncated(name, length, offset, ch);
                }
            }
            dst.flip();
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(name);
        }
    }

    static byte[] readFully(FileChannel ch, long offset, int length, String name) throws IOException {
        return readFully(ch, offset, length, name, new byte[length]);
    }

    /** Positional read that fails instead of returning short data, so truncation is reported. */
    static byte[] readFully(FileChannel ch, long offset, int length, String name, byte[] out) throws IOException {
        if (SlicedIo.read(ch, out, 0, length, offset) < length) {
            throw truncated(name, length, offset, ch);
        }
        return out;
    }

    private static EOFException truncated(String name, int length, long offset, FileChannel ch) throws IOException {
        return new EOFException("object " + name + " is truncated: wanted " + length + " bytes at offset " + offset
                + ", file has " + ch.size());
    }

    @Override
    public byte[] load(String name) throws IOException {
        try {
            return SlicedIo.readAll(resolve(name));
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(name);
        }
    }

    @Override
    public long size(String name) throws IOException {
        try {
            return Files.size(resolve(name));
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        Path dir = resolve(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
        List<ObjectInfo> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p)) {
                    try {
                        out.add(new ObjectInfo(root.relativize(p).toString().replace('\\', '/'), Files.size(p)));
                    } catch (NoSuchFileException vanished) {
                        // deleted concurrently (prune); it is not there any more
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void delete(String name) throws IOException {
        Files.deleteIfExists(resolve(name));
    }

    @Override
    public Path stagingDir() throws IOException {
        Files.createDirectories(tmp);
        return tmp;
    }

    @Override
    public String location() {
        return root.toString();
    }

    private Path resolve(String name) throws IOException {
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root) || name.isEmpty()) {
            throw new PermanentStorageException("invalid object name: " + name);
        }
        return p;
    }

    /** Creates the root directory; refuses a non-empty existing directory. */
    public static LocalStorage create(Path root) throws IOException {
        if (Files.exists(root)) {
            if (!Files.isDirectory(root)) {
                throw new FileAlreadyExistsException(root + " exists and is not a directory");
            }
            try (Stream<Path> s = Files.list(root)) {
                if (s.findAny().isPresent()) {
                    throw new FileAlreadyExistsException(root + " is not empty");
                }
            }
        }
        Files.createDirectories(root);
        return new LocalStorage(root);
    }
}
