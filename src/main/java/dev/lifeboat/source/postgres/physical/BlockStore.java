package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.source.files.StreamSaver;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stores file content as fixed blocks on worker threads while one thread reads: the reader hands
 * over batches in a few reusable buffers (so memory stays bounded), workers hash, compress,
 * encrypt and pack them.
 */
final class BlockStore implements AutoCloseable {
    /** 2 MiB, a whole number of blocks; three buffers per worker thread go round, and each worker has one more. */
    private static final int BATCH = 8 * BaseBackup.BLOCK;

    record Stored(List<String> ids, long bytes, long added, int blobs) {
    }

    private final ExecutorService pool;
    private final BlockingQueue<byte[]> buffers;
    private final Repository repo;
    private final List<StreamSaver> savers = new ArrayList<>();
    private final ThreadLocal<StreamSaver> saver;
    private final AtomicLong read = new AtomicLong();
    private final ThreadLocal<byte[]> ownBuffer = ThreadLocal.withInitial(() -> new byte[BATCH]);

    BlockStore(Repository repo, int threads, int compressionLevel) {
        this.repo = repo;
        int n = Math.max(1, threads);
        pool = Executors.newFixedThreadPool(n, dev.lifeboat.util.Workers.daemons("basebackup-store"));
        buffers = new ArrayBlockingQueue<>(n * 3);
        for (int i = 0; i < n * 3; i++) {
            buffers.add(new byte[BATCH]);
        }
        saver = ThreadLocal.withInitial(() -> {
            StreamSaver s = new StreamSaver(repo, compressionLevel);
            synchronized (savers) {
                savers.add(s);
            }
            return s;
        });
    }

    /** Reads {@code in} to its end, handing each batch to a worker; the futures give the blocks in order. */
    List<Future<Stored>> store(InputStream in) throws IOException {
        List<Future<Stored>> parts = new ArrayList<>();
        try {
            while (true) {
                byte[] buf = buffers.take();
                int n;
                try {
                    n = in.readNBytes(buf, 0, BATCH);
                } catch (IOException | RuntimeException e) {
                    buffers.add(buf);
                    throw e;
                }
                if (n == 0) {
                    buffers.add(buf);
                    return parts;
                }
                read.addAndGet(n);
                parts.add(pool.submit(() -> {
                    try {
                        return blocks(buf, n);
                    } finally {
                        buffers.add(buf);
                    }
                }));
                if (n < BATCH) {
                    return parts;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /**
     * Stores {@code length} bytes of {@code file} from {@code offset}, read by the worker itself, so
     * reading is as parallel as storing. Returns fewer blocks if the file shrank meanwhile.
     */
    Future<Stored> storeRange(java.nio.file.Path file, long offset, int length) {
        return pool.submit(() -> {
            byte[] buf = ownBuffer.get();
            int n = 0;
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf, 0, length);
                while (bb.hasRemaining()) {
                    int r = ch.read(bb, offset + bb.position());
                    if (r < 0) {
                        break;
                    }
                }
                n = bb.position();
            } catch (java.nio.file.NoSuchFileException gone) {
                n = 0; // dropped while the backup ran: the WAL replays the drop
            }
            read.addAndGet(n);
            return blocks(buf, n);
        });
    }

    static int rangeSize() {
        return BATCH;
    }

    Future<Stored> store(byte[] whole) {
        read.addAndGet(whole.length);
        return pool.submit(() -> blocks(whole, whole.length));
    }

    private Stored blocks(byte[] buf, int n) throws IOException {
        StreamSaver.Saved s = saver.get().saveBlocks(buf, 0, n, BaseBackup.BLOCK);
        return new Stored(s.content(), s.size(), s.bytesAdded(), s.blobsAdded());
    }

    Stored get(Future<Stored> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException(c.getMessage(), c);
        }
    }

    long bytesRead() {
        return read.get();
    }

    /** Waits for the workers and writes out their last packs. */
    void finish() throws IOException {
        pool.shutdown();
        try {
            pool.awaitTermination(1, java.util.concurrent.TimeUnit.HOURS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        synchronized (savers) {
            for (StreamSaver s : savers) {
                s.startFlush(); // the last packs of all savers upload side by side
            }
        }
        repo.awaitUploads();
    }

    @Override
    public void close() {
        pool.shutdownNow();
        synchronized (savers) {
            savers.forEach(StreamSaver::close);
        }
    }
}
