package dev.lifeboat.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A flat namespace of immutable named objects. Names use '/' as separator ("data/ab/abcd...").
 * Everything a repository needs is expressed with these few methods so that a new backend
 * (S3, SFTP, ...) is small, and retries, caching or fault injection are wrappers.
 * Failures that no retry can fix should be a {@link PermanentStorageException}.
 */
public interface Storage extends AutoCloseable {

    /**
     * Stores the bytes under name atomically: readers see the whole object or nothing. Saving the
     * same name again replaces the object, so a failed save can simply be repeated.
     */
    void save(String name, byte[] data) throws IOException;

    /**
     * Stores the content of a local file under name atomically. The backend may move the file
     * (it then no longer exists at source) instead of copying it, but only as part of a successful
     * save: on failure the source file is left in place, so that the call can be retried (see
     * {@link RetryingStorage}).
     */
    void saveFile(String name, Path source) throws IOException;

    /** Reads length bytes at offset; fails with {@link ObjectNotFoundException} when absent. */
    byte[] load(String name, long offset, int length) throws IOException;

    /**
     * Reads length bytes at offset into {@code reuse} when it is large enough (returning it), else
     * into a new array: lets a restore reuse one buffer per thread instead of making garbage.
     */
    default byte[] load(String name, long offset, int length, byte[] reuse) throws IOException {
        return load(name, offset, length);
    }

    /**
     * Reads length bytes at offset into dst from its start and flips it (position 0, limit length);
     * dst must have the room. A restore reads packs this way straight into the direct buffer that
     * AES-GCM decrypts from fastest: reading into an array costs a copy from the JDK's own direct
     * buffer, and decrypting from an array another copy into a direct one.
     */
    default void read(String name, long offset, int length, java.nio.ByteBuffer dst) throws IOException {
        byte[] data = load(name, offset, length);
        dst.clear();
        dst.put(data, 0, length).flip();
    }

    /** Reads the whole object. */
    byte[] load(String name) throws IOException;

    /** Size of the object, or -1 when it does not exist. */
    long size(String name) throws IOException;

    /** All objects whose name starts with prefix (a "directory" like "snapshots/"). */
    List<ObjectInfo> list(String prefix) throws IOException;

    /** Deletes the object; deleting a missing object is not an error. */
    void delete(String name) throws IOException;

    /** Where pack files are assembled before {@link #saveFile}; on the same file system as the repository if local. */
    Path stagingDir() throws IOException;

    /** A human-readable location, safe to print (no credentials). */
    String location();

    /**
     * Whether every request costs a round trip (object storage), so that reading a whole object
     * once beats reading many ranges of it. Wrappers answer for what they wrap.
     */
    default boolean remote() {
        return false;
    }

    @Override
    default void close() throws IOException {
    }
}
