package dev.lifeboat.source.postgres;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryException;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.repository.Trees;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A database's pg_dump directory laid out on disk from a snapshot. For pg_restore the data files
 * are named pipes fed from the repository as pg_restore opens them, so a restore needs no
 * temporary copy of the dump; for extract they are written out as regular files; a whole-database
 * restore loads the tables' data itself ({@link #writeAhead}).
 */
final class DumpFiles implements AutoCloseable {
    private final Repository repo;
    private final Path dir;
    private final List<Thread> feeders = new ArrayList<>();
    private final List<Path> pipes = new ArrayList<>();
    private final java.util.Map<String, Node> data = new java.util.TreeMap<>();
    private final AtomicReference<IOException> readFailure = new AtomicReference<>();
    private volatile Runnable onReadFailure = () -> { };

    private DumpFiles(Repository repo, Path dir) {
        this.repo = repo;
        this.dir = dir;
    }

    static Tree treeOf(Repository repo, String rootTree, String dirName) throws IOException {
        Tree top = Trees.load(repo, BlobId.parse(rootTree));
        Node db = top.find(dirName);
        if (db == null || !db.isDir()) {
            throw new RepositoryException("snapshot has no dump directory " + dirName);
        }
        return Trees.load(repo, BlobId.parse(db.subtree()));
    }

    /** Writes every file of the dump into {@code dir} (which must exist and be empty). */
    static void extract(Repository repo, Tree dump, Path dir) throws IOException {
        for (Node n : dump.nodes()) {
            if (n.isFile()) {
                checkName(n.name());
                try (OutputStream out = Files.newOutputStream(dir.resolve(n.name()))) {
                    write(repo, n, out);
                }
            }
        }
    }

    /** Lays the dump out in {@code dir} with a named pipe for every data file, each fed by its own thread. */
    static DumpFiles piped(Repository repo, Tree dump, Path dir) throws IOException {
        DumpFiles f = layOut(repo, dump, dir);
        f.pipe(name -> true);
        return f;
    }

    /** Writes the dump's table of contents and other small files into {@code dir}; no data file yet. */
    static DumpFiles layOut(Repository repo, Tree dump, Path dir) throws IOException {
        DumpFiles f = new DumpFiles(repo, dir);
        for (Node n : dump.nodes()) {
            if (!n.isFile()) {
                continue;
            }
            checkName(n.name());
            if (n.name().endsWith(".dat") && !n.name().equals(DatabaseDumper.TOC)) {
                f.data.put(n.name(), n);
            } else {
                try (OutputStream out = Files.newOutputStream(dir.resolve(n.name()))) {
                    write(repo, n, out);
                }
            }
        }
        return f;
    }

    /** Makes a named pipe for each data file {@code which} accepts, each fed by its own thread as it is opened. */
    void pipe(java.util.function.Predicate<String> which) throws IOException {
        List<Node> chosen = data.values().stream().filter(n -> which.test(n.name())).toList();
        mkfifos(chosen);
        for (Node n : chosen) {
            Thread t = new Thread(null, () -> feed(n), "feed-" + n.name(), 256 * 1024);
            t.setDaemon(true);
            feeders.add(t);
            t.start();
        }
    }

    /** The data file {@code name} of the dump, or null. */
    Node dataFile(String name) {
        return data.get(name);
    }

    Path dir() {
        return dir;
    }

    /** What to do when the snapshot cannot be read: kill the consumer, so it cannot commit a truncated table. */
    void onReadFailure(Runnable action) {
        this.onReadFailure = action;
    }

    /** A failure to read the repository while feeding, which pg_restore would only see as a short file. */
    IOException readFailure() {
        return readFailure.get();
    }

    private void mkfifos(List<Node> data) throws IOException {
        for (int i = 0; i < data.size(); i += 200) {
            List<String> cmd = new ArrayList<>(List.of("mkfifo", "-m", "600"));
            for (Node n : data.subList(i, Math.min(data.size(), i + 200))) {
                Path p = dir.resolve(n.name());
                cmd.add(p.toString());
                pipes.add(p);
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                String out = new String(p.getInputStream().readAllBytes()).strip();
                if (p.waitFor() != 0) {
                    throw new IOException("mkfifo failed: " + out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted");
            }
        }
    }

    private void feed(Node n) {
        Path p = dir.resolve(n.name());
        // Opening blocks until pg_restore opens the pipe to read it.
        try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
            try {
                writeAhead(repo, blobIds(n), 0, (i, b, len) -> {
                    dev.lifeboat.util.SlicedIo.write(out, b, 0, len);
                    return true;
                });
            } catch (RepositoryIOException e) {
                readFailure.compareAndSet(null, e.getCause());
                // Stop the reader before closing the pipe: a short file would look like a complete table.
                onReadFailure.run();
                return;
            }
        } catch (IOException e) {
            // pg_restore closed the pipe early (it failed, or did not want this file)
        }
    }

    private static final Repository.Loaded END = new Repository.Loaded(new byte[0], 0);
    /** Blobs of one file in flight: one being loaded, two ready, one being written. */
    private static final int BUFFERS = 4;

    /** Where {@link #writeAhead} puts a data file's bytes, one blob at a time. */
    interface Sink {
        /** Takes the first {@code len} bytes of {@code b}, the blob at {@code index}; false stops the writing. */
        boolean write(int index, byte[] b, int len) throws IOException;
    }

    static List<BlobId> blobIds(Node n) {
        List<BlobId> ids = new ArrayList<>(n.content().size());
        for (String hex : n.content()) {
            ids.add(BlobId.parse(hex));
        }
        return ids;
    }

    /**
     * Writes a file into a pipe or a COPY while the next blobs are already being decrypted and decompressed
     * on another thread: written one after the other, the server would wait on every blob. The
     * blobs' buffers go round between the two threads, and the pipe is written through the
     * channel's small cached buffer: a stream of fresh megabyte arrays, and the native copy a
     * stream makes of each, cost more CPU than the decryption, CPU that the server's COPY needs.
     * The buffers are made once, as large as the file's largest blob: grown blob by blob, each
     * larger blob dropped a smaller buffer, and a restore of the bench database made 46 collections
     * (13 full ones), 0.75 s during which no pipe was fed.
     */
    static void writeAhead(Repository repo, List<BlobId> all, int from, Sink out) throws IOException {
        java.util.concurrent.BlockingQueue<Repository.Loaded> ready = new java.util.concurrent.ArrayBlockingQueue<>(BUFFERS - 2);
        List<BlobId> ids = all.subList(from, all.size());
        int largest = 0;
        for (BlobId id : ids) {
            dev.lifeboat.repository.PackEntry e = repo.index().get(id);
            largest = e == null ? largest : Math.max(largest, e.rawLength()); // a missing one fails when loaded
        }
        int size = largest;
        int buffers = Math.min(BUFFERS, ids.size());
        java.util.concurrent.BlockingQueue<byte[]> spare = new java.util.concurrent.ArrayBlockingQueue<>(BUFFERS);
        AtomicReference<IOException> failed = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread loader = new Thread(() -> {
            try {
                int made = 0;
                for (BlobId id : ids) {
                    if (stop.get()) {
                        return;
                    }
                    byte[] buf = spare.poll();
                    if (buf == null) {
                        buf = made < buffers ? new byte[size] : spare.take();
                        made++;
                    }
                    ready.put(repo.loadBlob(id, buf));
                }
            } catch (IOException e) {
                failed.set(e);
            } catch (InterruptedException e) {
                return;
            }
            try {
                ready.put(END);
            } catch (InterruptedException ignored) {
                // the writer has given up
            }
        }, "load-" + Thread.currentThread().getName());
        loader.setDaemon(true);
        loader.start();
        try {
            for (int index = from; ; ) {
                Repository.Loaded blob = ready.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (blob == END || (blob == null && !loader.isAlive() && ready.isEmpty())) {
                    break;
                }
                if (blob != null) {
                    if (!out.write(index++, blob.data(), blob.length())) {
                        return;
                    }
                    spare.offer(blob.data());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } finally {
            stop.set(true);
            loader.interrupt();
        }
        if (failed.get() != null) {
            throw new RepositoryIOException(failed.get());
        }
    }

    private static void write(Repository repo, Node n, OutputStream out) throws IOException {
        for (String id : n.content()) {
            byte[] blob;
            try {
                blob = repo.loadBlob(BlobId.parse(id));
            } catch (IOException e) {
                throw new RepositoryIOException(e);
            }
            out.write(blob);
        }
    }

    private static void checkName(String name) throws RepositoryException {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new RepositoryException("refusing dump file name \"" + name + "\" in snapshot");
        }
    }

    /** Releases feeders pg_restore never opened: opening a pipe read-write never blocks and lets the writer through. */
    @Override
    public void close() {
        for (int round = 0; round < 100 && feeders.stream().anyMatch(Thread::isAlive); round++) {
            for (int i = 0; i < feeders.size(); i++) {
                if (feeders.get(i).isAlive()) {
                    try (RandomAccessFile r = new RandomAccessFile(pipes.get(i).toFile(), "rw")) {
                        feeders.get(i).join(20);
                    } catch (IOException | InterruptedException ignored) {
                        // the feeder sees a broken pipe and ends
                    }
                }
            }
        }
    }

    /** Marks a repository read failure apart from a pipe closed by the reader. */
    static final class RepositoryIOException extends IOException {
        RepositoryIOException(IOException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
