package dev.lifeboat.testing;

import dev.lifeboat.storage.ObjectInfo;
import dev.lifeboat.storage.Storage;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Injects faults in front of a real backend (LocalStorage, S3Storage): with a configurable share of
 * calls per operation, chosen by a seeded Random, a call fails with an injected HTTP 503 or 500, a
 * timeout (after a delay), a connection reset, is merely slow, or, for saves, leaves a truncated object
 * behind before failing (a non-atomic backend dying mid-write) or stores the object and then fails
 * (the answer got lost). A "down" switch fails every call; {@link #downAfterSaves} turns it on after a
 * number of successful saves.
 */
public final class FaultyStorage implements Storage {
    public enum Op { SAVE, SAVE_FILE, LOAD, SIZE, LIST, DELETE }

    public enum Fault { ERROR_503, ERROR_500, TIMEOUT, RESET, SLOW, PARTIAL_WRITE, LOST_ACK }

    private static final Fault[] READ_FAULTS = {Fault.ERROR_503, Fault.ERROR_500, Fault.TIMEOUT, Fault.RESET, Fault.SLOW};
    private static final Fault[] WRITE_FAULTS = Fault.values();

    private final Storage delegate;
    private final Random random;
    private final Map<Op, Double> rates = new ConcurrentHashMap<>();
    private final Map<Fault, AtomicLong> injected = new EnumMap<>(Fault.class);
    private volatile boolean down;
    private volatile String downPrefix;
    private final AtomicInteger savesUntilDown = new AtomicInteger(-1);
    private final AtomicLong refusedWhileDown = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private volatile long timeoutMillis = 30;
    private volatile long slowMillis = 15;

    public FaultyStorage(Storage delegate, long seed) {
        this.delegate = delegate;
        this.random = new Random(seed);
        for (Op op : Op.values()) {
            rates.put(op, 0.0);
        }
        for (Fault f : Fault.values()) {
            injected.put(f, new AtomicLong());
        }
    }

    /** The same failure share for every operation. */
    public FaultyStorage failureRate(double share) {
        for (Op op : Op.values()) {
            rates.put(op, share);
        }
        return this;
    }

    public FaultyStorage failureRate(Op op, double share) {
        rates.put(op, share);
        return this;
    }

    public FaultyStorage delays(long timeoutMillis, long slowMillis) {
        this.timeoutMillis = timeoutMillis;
        this.slowMillis = slowMillis;
        return this;
    }

    /** Every call fails (true) or works again (false). */
    public void down(boolean isDown) {
        this.down = isDown;
        if (!isDown) {
            savesUntilDown.set(-1);
        }
    }

    public boolean isDown() {
        return down;
    }

    /** Goes down right after n more successful saves of objects whose name starts with prefix. */
    public void downAfterSaves(String prefix, int n) {
        this.downPrefix = prefix;
        this.savesUntilDown.set(n);
        if (n <= 0) {
            down = true;
        }
    }

    public long injected(Fault f) {
        return injected.get(f).get();
    }

    /** Injected faults of all kinds (slow responses included). */
    public long injectedTotal() {
        return injected.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public long refusedWhileDown() {
        return refusedWhileDown.get();
    }

    public Storage delegate() {
        return delegate;
    }

    /** Calls that reached this wrapper (stagingDir, location and close not counted). */
    public long calls() {
        return calls.get();
    }

    private Fault pick(Op op) throws IOException {
        calls.incrementAndGet();
        if (down) {
            refusedWhileDown.incrementAndGet();
            throw new IOException("injected 503: storage unavailable (" + op.name().toLowerCase() + ")");
        }
        double share = rates.get(op);
        if (share <= 0) {
            return null;
        }
        Fault f;
        synchronized (random) {
            if (random.nextDouble() >= share) {
                return null;
            }
            Fault[] choices = op == Op.SAVE || op == Op.SAVE_FILE ? WRITE_FAULTS : READ_FAULTS;
            f = choices[random.nextInt(choices.length)];
        }
        injected.get(f).incrementAndGet();
        return f;
    }

    /** Throws for the faults that fail before touching the backend; returns for the others. */
    private void before(Fault f, String name) throws IOException {
        if (f == null) {
            return;
        }
        switch (f) {
            case ERROR_503 -> throw new IOException("injected 503 Slow Down for " + name);
            case ERROR_500 -> throw new IOException("injected 500 Internal Error for " + name);
            case TIMEOUT -> {
                pause(timeoutMillis);
                throw new SocketTimeoutException("injected timeout for " + name);
            }
            case RESET -> throw new SocketException("injected connection reset for " + name);
            case SLOW -> pause(slowMillis);
            default -> {
            }
        }
    }

    private static void pause(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    private void saved(String name) {
        String prefix = downPrefix;
        if (prefix != null && name.startsWith(prefix) && savesUntilDown.get() > 0 && savesUntilDown.decrementAndGet() == 0) {
            down = true;
        }
    }

    @Override
    public void save(String name, byte[] data) throws IOException {
        Fault f = pick(Op.SAVE);
        before(f, name);
        if (f == Fault.PARTIAL_WRITE) {
            delegate.save(name, Arrays.copyOf(data, data.length / 2));
            throw new IOException("injected 500: connection lost after a partial write of " + name);
        }
        delegate.save(name, data);
        if (f == Fault.LOST_ACK) {
            throw new SocketException("injected connection reset after " + name + " was stored");
        }
        saved(name);
    }

    @Override
    public void saveFile(String name, Path source) throws IOException {
        Fault f = pick(Op.SAVE_FILE);
        before(f, name);
        if (f == Fault.PARTIAL_WRITE) {
            byte[] all = Files.readAllBytes(source);
            delegate.save(name, Arrays.copyOf(all, all.length / 2));
            throw new IOException("injected 500: connection lost after a partial write of " + name);
        }
        if (f == Fault.LOST_ACK) {
            // store a copy so that the source stays in place, as the Storage contract asks of a failed call
            Path copy = source.resolveSibling(source.getFileName() + ".lost-ack");
            Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
            try {
                delegate.saveFile(name, copy);
            } finally {
                Files.deleteIfExists(copy);
            }
            throw new SocketException("injected connection reset after " + name + " was stored");
        }
        delegate.saveFile(name, source);
        saved(name);
    }

    @Override
    public byte[] load(String name, long offset, int length) throws IOException {
        before(pick(Op.LOAD), name);
        return delegate.load(name, offset, length);
    }

    @Override
    public byte[] load(String name) throws IOException {
        before(pick(Op.LOAD), name);
        return delegate.load(name);
    }

    @Override
    public long size(String name) throws IOException {
        before(pick(Op.SIZE), name);
        return delegate.size(name);
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        before(pick(Op.LIST), prefix);
        return delegate.list(prefix);
    }

    @Override
    public void delete(String name) throws IOException {
        before(pick(Op.DELETE), name);
        delegate.delete(name);
    }

    @Override
    public Path stagingDir() throws IOException {
        return delegate.stagingDir();
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
