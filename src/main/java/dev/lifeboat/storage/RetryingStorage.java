package dev.lifeboat.storage;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Retries transient failures of every {@link Storage} operation with exponential backoff and full
 * jitter: before attempt n+1 it sleeps a random time in [0, min(cap, base * 2^(n-1))).
 *
 * <p>Not retried, because another attempt cannot succeed: {@link ObjectNotFoundException},
 * {@link PermanentStorageException} (access denied, no such bucket, invalid name), a truncated object
 * ({@link EOFException}), local file-system answers that are facts rather than accidents (no such file,
 * access denied, not a directory, already exists), interruption, and runtime exceptions. Everything
 * else (HTTP 5xx, timeouts, connection resets, I/O errors) is retried. When the attempts are used up
 * the last failure is thrown unchanged, so the user sees its message.
 *
 * <p>Retrying {@link #save} is safe: object names are content hashes (the same name always means the
 * same bytes), and the few fixed names (config, keys, locks) are written with the same intent again.
 * Retrying {@link #saveFile} relies on the contract that a backend leaves the source file in place when
 * it fails; if the source vanished anyway the original failure is thrown rather than a confusing
 * "no such file".
 */
public final class RetryingStorage implements Storage {
    /** Attempts (first try included), base delay, and the cap on one delay. */
    public record Policy(int maxAttempts, Duration base, Duration cap) {
        public static final Policy DEFAULT = new Policy(6, Duration.ofMillis(100), Duration.ofSeconds(5));

        public Policy {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            if (base.isNegative() || cap.isNegative()) {
                throw new IllegalArgumentException("delays must not be negative");
            }
        }

        /** Upper bound of the random delay before attempt {@code attempt + 1} (attempt counts from 1). */
        long maxDelayMillis(int attempt) {
            long baseMs = base.toMillis();
            int shift = Math.min(attempt - 1, 30);
            long exp = baseMs > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : baseMs << shift;
            return Math.min(cap.toMillis(), exp);
        }
    }

    /** How the wrapper waits; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper REAL = Thread::sleep;

        void sleep(long millis) throws InterruptedException;
    }

    @FunctionalInterface
    private interface Op<T> {
        T run() throws IOException;
    }

    private final Storage delegate;
    private final Policy policy;
    private final Sleeper sleeper;
    private final Random random;
    private final AtomicLong retries = new AtomicLong();

    public RetryingStorage(Storage delegate) {
        this(delegate, Policy.DEFAULT);
    }

    public RetryingStorage(Storage delegate, Policy policy) {
        this(delegate, policy, Sleeper.REAL, null);
    }

    /** random may be null for a thread-local one. */
    public RetryingStorage(Storage delegate, Policy policy, Sleeper sleeper, Random random) {
        this.delegate = delegate;
        this.policy = policy;
        this.sleeper = sleeper;
        this.random = random;
    }

    public Storage delegate() {
        return delegate;
    }

    public Policy policy() {
        return policy;
    }

    /** Attempts repeated after a failure so far (all operations). */
    public long retries() {
        return retries.get();
    }

    /** True when trying the same operation again could succeed. */
    public static boolean isTransient(IOException e) {
        if (e instanceof ObjectNotFoundException || e instanceof PermanentStorageException || e instanceof EOFException) {
            return false;
        }
        if (e instanceof NoSuchFileException || e instanceof AccessDeniedException || e instanceof NotDirectoryException
                || e instanceof FileAlreadyExistsException) {
            return false;
        }
        if (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
            return false; // cancelled (Ctrl-C), not a slow network
        }
        return true;
    }

    private <T> T retry(Op<T> op, Path mustSurvive) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return op.run();
            } catch (IOException e) {
                if (attempt >= policy.maxAttempts() || !isTransient(e) || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                if (mustSurvive != null && !Files.exists(mustSurvive)) {
                    // the backend broke the "source stays on failure" contract; another attempt cannot work
                    throw e;
                }
                long bound = policy.maxDelayMillis(attempt);
                long delay = bound <= 0 ? 0 : (random != null ? nextLong(random, bound) : ThreadLocalRandom.current().nextLong(bound));
                retries.incrementAndGet();
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    InterruptedIOException iio = new InterruptedIOException("interrupted while retrying: " + e.getMessage());
                    iio.addSuppressed(e);
                    throw iio;
                }
            }
        }
    }

    private static long nextLong(Random r, long bound) {
        synchronized (r) {
            return (long) (r.nextDouble() * bound);
        }
    }

    @Override
    public void save(String name, byte[] data) throws IOException {
        retry(() -> {
            delegate.save(name, data);
            return null;
        }, null);
    }

    @Override
    public void saveFile(String name, Path source) throws IOException {
        retry(() -> {
            delegate.saveFile(name, source);
            return null;
        }, source);
    }

    @Override
    public byte[] load(String name, long offset, int length) throws IOException {
        return retry(() -> delegate.load(name, offset, length), null);
    }

    @Override
    public byte[] load(String name, long offset, int length, byte[] reuse) throws IOException {
        return retry(() -> delegate.load(name, offset, length, reuse), null);
    }

    @Override
    public void read(String name, long offset, int length, java.nio.ByteBuffer dst) throws IOException {
        retry(() -> {
            delegate.read(name, offset, length, dst);
            return null;
        }, null);
    }

    @Override
    public byte[] load(String name) throws IOException {
        return retry(() -> delegate.load(name), null);
    }

    @Override
    public long size(String name) throws IOException {
        return retry(() -> delegate.size(name), null);
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        return retry(() -> delegate.list(prefix), null);
    }

    @Override
    public void delete(String name) throws IOException {
        retry(() -> {
            delegate.delete(name);
            return null;
        }, null);
    }

    @Override
    public Path stagingDir() throws IOException {
        return retry(delegate::stagingDir, null);
    }

    @Override
    public String location() {
        return delegate.location();
    }

    @Override
    public boolean remote() {
        return delegate.remote();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
