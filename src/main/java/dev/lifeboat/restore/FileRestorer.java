package dev.lifeboat.restore;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.PackEntry;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.TreeWalker;
import dev.lifeboat.util.SlicedIo;
import dev.lifeboat.util.Workers;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Restores a snapshot into a directory, pack by pack: each pack is read once (one ranged read
 * spanning the blobs needed from it) and its blobs are written to every file position that
 * needs them, by several threads at once. Files get their metadata when their last blob lands.
 */
public final class FileRestorer {
    /**
     * @param keep files for which this says true are already in place with the right content and
     *             only get their metadata applied (a delta restore); null rewrites every file
     * @param sync flush every restored file and directory to disk before the restore returns (a
     *             database restore must survive a crash right after it, as pg_basebackup's does)
     */
    public record Options(Path target, List<String> includes, int threads, java.util.function.BiPredicate<Path, Node> keep,
                          boolean sync) {
        public Options(Path target, List<String> includes, int threads) {
            this(target, includes, threads, null, false);
        }
    }

    public record Result(long files, long dirs, long bytes, List<String> warnings) {
    }

    /** Reads at most this much from a pack in one request; sparser needs are read blob by blob. */
    private static final int MAX_SPAN = 4 * 1024 * 1024;
    /**
     * Files are planned and written in batches of about this many blobs, so the plan's memory does
     * not grow with the snapshot (a plan of every file took some 500 bytes a file: 40 MiB of heap for
     * the Linux source tree). Packs hold files in the order they are walked here, so a batch reads
     * few packs that the next one reads again, and then only the spans it needs. A batch is written
     * while the next is planned; the first is small, so that writing starts soon (a base backup of
     * 15,000 blobs was otherwise walked whole, 0.2 s, before the first byte was written).
     */
    private static final int BATCH_BLOBS = 16_384;
    private static final int FIRST_BATCH_BLOBS = 1_024;

    private final Repository repo;
    private final Options opts;
    private final RestoreProgress progress;
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final boolean root = "root".equals(System.getProperty("user.name"));
    /** Per worker: the pack span read last and the blob decrypted last, reused so a restore makes little garbage. */
    private final ThreadLocal<byte[]> spanBuffer = new ThreadLocal<>();
    private final ThreadLocal<byte[]> plainBuffer = ThreadLocal.withInitial(() -> new byte[0]);
    /** Writes every batch's packs: one pool for the whole restore, so its threads keep their buffers. */
    private ExecutorService pool;
    private Flusher<FileJob> flusher;
    /** The batch being written: its tasks, one per pack. */
    private List<Future<?>> writing = List.of();

    public FileRestorer(Repository repo, Options opts, RestoreProgress progress) {
        this.repo = repo;
        this.opts = opts;
        this.progress = progress;
    }

    /**
     * A file waiting for its blobs. A batch plans thousands before writing any, so this is kept
     * small: the directory's path is shared and the node keeps only what the file's metadata needs.
     */
    private static final class FileJob {
        final Path dir;
        final Node node;
        final AtomicInteger remaining;

        FileJob(Path dir, Node node, int blobs) {
            this.dir = dir;
            this.node = new Node(node.name(), node.type(), node.mode(), node.mtime(), null, node.uid(), node.gid(),
                    node.user(), node.group(), null, null, null, node.size(), null, null, null);
            this.remaining = new AtomicInteger(blobs);
        }

        Path path() {
            return dir.resolve(node.name());
        }
    }

    private record Target(FileJob file, long offset) {
    }

    /**
     * One blob to restore: where it is stored and every place it goes. Most blobs go to one place,
     * which is held inline rather than as a {@link Target} of its own.
     */
    private static final class BlobPlan {
        final PackEntry entry;
        FileJob firstFile;
        long firstOffset;
        List<Target> more = List.of();

        BlobPlan(PackEntry entry) {
            this.entry = entry;
        }

        void add(FileJob file, long offset) {
            if (firstFile == null) {
                firstFile = file;
                firstOffset = offset;
            } else {
                if (more.isEmpty()) {
                    more = new ArrayList<>(2);
                }
                more.add(new Target(file, offset));
            }
        }
    }

    public Result run(SnapshotRef snap) throws IOException {
        pool = Executors.newFixedThreadPool(Math.max(1, opts.threads()), Workers.daemons("restore-worker"));
        flusher = opts.sync() ? new Flusher<>(FileJob::path, f -> f.remaining.get() > 0) : null;
        try {
            return restore(snap);
        } finally {
            if (flusher != null) {
                flusher.close();
            }
            pool.shutdownNow();
            try {
                pool.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Result restore(SnapshotRef snap) throws IOException {
        repo.loadIndex();
        // Content is written batch by batch while the tree is still being walked, so the totals for
        // progress come from the snapshot; a restore of some paths only shows no totals.
        int maxBatch = Integer.getInteger("lifeboat.restore.batchBlobs", BATCH_BLOBS); // tests make it tiny
        int[] batch = {Math.min(FIRST_BATCH_BLOBS, maxBatch)};
        var summary = snap.snapshot().summary();
        if (summary != null && opts.includes().isEmpty()) {
            progress.planned(summary.totalFiles(), summary.totalBytes());
        }
        Path target = opts.target().toAbsolutePath().normalize();
        // Directories this restore created hold nothing it must first remove, which saves a
        // syscall per file; and the files themselves are created by the workers, in parallel.
        Set<Path> freshDirs = new HashSet<>();
        boolean targetIsNew = !Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        Files.createDirectories(target);
        if (targetIsNew) {
            freshDirs.add(target);
        }
        Map<String, Path> dirPaths = new HashMap<>(); // one Path per directory, shared by its files' jobs
        dirPaths.put("", target);
        Map<BlobId, List<BlobPlan>> byPack = new HashMap<>();
        Map<BlobId, BlobPlan> plans = new HashMap<>();
        List<Map.Entry<Path, Node>> dirs = new ArrayList<>();
        Map<String, Path> linked = new HashMap<>();
        long[] counts = new long[3];
        new TreeWalker(repo).walk(snap.snapshot().tree(), (path, node) -> {
            if (node.name().isEmpty() || node.name().equals(".") || node.name().equals("..") || node.name().contains("/")
                    || node.name().indexOf('\0') >= 0) {
                throw new IOException("snapshot " + snap.shortId() + " has an invalid entry name under " + path
                        + "; refusing to restore it (the repository may have been tampered with)");
            }
            Path dest = target.resolve(path.substring(1));
            if (!selected(path)) {
                if (node.isDir() && isAncestorOfInclude(path)) {
                    Files.createDirectories(dest);
                    dirPaths.put(path, dest);
                    dirs.add(Map.entry(dest, node));
                    return true;
                }
                return false;
            }
            switch (node.type()) {
                case Node.DIR -> {
                    if (createDirectory(dest)) {
                        freshDirs.add(dest);
                    }
                    dirPaths.put(path, dest);
                    dirs.add(Map.entry(dest, node));
                    counts[1]++;
                }
                case Node.FILE -> {
                    counts[0]++;
                    counts[2] += node.sizeOr0();
                    if (hardLinked(node, dest, linked)) {
                        return true;
                    }
                    if (opts.keep() != null && opts.keep().test(dest, node)) {
                        applyMetadata(dest, node);
                        progress.fileDone(node.sizeOr0());
                        return true;
                    }
                    Path dir = dirPaths.get(path.substring(0, path.lastIndexOf('/')));
                    if (dir == null) {
                        dir = dest.getParent();
                    }
                    prepareFile(dest, dir, node, freshDirs.contains(dir), byPack, plans);
                    if (plans.size() >= batch[0]) {
                        startWriting(byPack);
                        byPack.clear();
                        plans.clear();
                        batch[0] = Math.min(2 * batch[0], maxBatch);
                    }
                }
                case Node.SYMLINK -> {
                    Files.deleteIfExists(dest);
                    Files.createSymbolicLink(dest, Path.of(node.target()));
                    applyOwner(dest, node);
                }
                case Node.FIFO -> {
                    Files.deleteIfExists(dest);
                    mkfifo(dest, node);
                }
                default -> warnings.add(dest + ": " + node.type() + " not restored (special files are recorded, not recreated)");
            }
            return true;
        });
        plans.clear();
        startWriting(byPack);
        byPack.clear();
        finishWriting();
        Collections.reverse(dirs); // children before parents, so restoring contents doesn't touch a parent's mtime
        for (Map.Entry<Path, Node> d : dirs) {
            applyMetadata(d.getKey(), d.getValue());
            if (opts.sync()) {
                try (FileChannel dir = FileChannel.open(d.getKey(), StandardOpenOption.READ)) {
                    dir.force(true); // the entries of files created in it
                }
            }
        }
        if (opts.sync()) {
            try (FileChannel dir = FileChannel.open(target, StandardOpenOption.READ)) {
                dir.force(true);
            }
        }
        progress.finished();
        return new Result(counts[0], counts[1], counts[2], List.copyOf(warnings));
    }

    private boolean selected(String path) {
        if (opts.includes().isEmpty()) {
            return true;
        }
        for (String inc : opts.includes()) {
            String i = normalizeInclude(inc);
            if (path.equals(i) || path.startsWith(i + "/") || i.equals("/")) {
                return true;
            }
        }
        return false;
    }

    private boolean isAncestorOfInclude(String path) {
        for (String inc : opts.includes()) {
            if (normalizeInclude(inc).startsWith(path + "/")) {
                return true;
            }
        }
        return false;
    }

    private static String normalizeInclude(String inc) {
        String s = inc.replaceAll("/+$", "");
        return s.startsWith("/") ? (s.isEmpty() ? "/" : s) : "/" + s;
    }

    private boolean hardLinked(Node node, Path dest, Map<String, Path> linked) throws IOException {
        if (node.links() == null || node.links() < 2 || node.inode() == null || node.device() == null) {
            return false;
        }
        String key = node.device() + ":" + node.inode();
        Path first = linked.putIfAbsent(key, dest);
        if (first == null) {
            return false;
        }
        Files.deleteIfExists(dest);
        Files.createLink(dest, first);
        return true;
    }

    /** Creates dir; returns whether it is new (false: it was there already, as a directory). */
    private static boolean createDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
            return true;
        } catch (FileAlreadyExistsException e) {
            Files.createDirectories(dir); // fails unless it is a directory
            return false;
        } catch (NoSuchFileException e) {
            Files.createDirectories(dir); // its parent was missing, so it was too
            return true;
        }
    }

    private void prepareFile(Path dest, Path dir, Node node, boolean inFreshDir, Map<BlobId, List<BlobPlan>> byPack,
                             Map<BlobId, BlobPlan> plans) throws IOException {
        if (!inFreshDir) {
            Files.deleteIfExists(dest); // never write through an existing link into someone else's file
        }
        List<String> content = node.content() == null ? List.of() : node.content();
        if (content.isEmpty() || (node.links() != null && node.links() > 1)) {
            Files.createFile(dest); // now: nothing will write to it, or its other names are linked to it next
        }
        // The job outlives its tree until the file is written; its blob list is needed only here.
        FileJob job = new FileJob(dir, node, content.size());
        if (content.isEmpty()) {
            applyMetadata(dest, node);
            progress.fileDone(0);
            return;
        }
        long offset = 0;
        for (String hex : content) {
            BlobId id = BlobId.parse(hex);
            BlobPlan plan = plans.get(id);
            if (plan == null) {
                PackEntry e = repo.index().get(id);
                if (e == null) {
                    throw new IOException("blob " + id.shortHex() + " of " + dest + " is missing from the index (run \"lifeboat check\")");
                }
                plan = new BlobPlan(e);
                plans.put(id, plan);
                byPack.computeIfAbsent(e.pack(), k -> new ArrayList<>()).add(plan);
            }
            plan.add(job, offset);
            offset += plan.entry.rawLength();
        }
    }

    /** Waits for the batch before, then starts writing this one's blobs, a pack per task. */
    private void startWriting(Map<BlobId, List<BlobPlan>> byPack) throws IOException {
        finishWriting();
        List<Future<?>> futures = new ArrayList<>();
        for (Map.Entry<BlobId, List<BlobPlan>> pack : byPack.entrySet()) {
            BlobId id = pack.getKey();
            List<BlobPlan> blobs = pack.getValue(); // not changed after this: planning goes on in new lists
            futures.add(pool.submit(() -> {
                restorePack(id, blobs);
                return null;
            }));
        }
        writing = futures;
    }

    /** Returns when the batch being written is written; the first failure cancels the rest. */
    private void finishWriting() throws IOException {
        List<Future<?>> futures = writing;
        writing = List.of();
        try {
            for (Future<?> f : futures) {
                Workers.await(f);
            }
        } catch (IOException | RuntimeException e) {
            for (Future<?> f : futures) {
                f.cancel(true);
            }
            throw e;
        }
    }

    private void restorePack(BlobId pack, List<BlobPlan> blobs) throws IOException {
        List<BlobPlan> needed = new ArrayList<>(blobs);
        needed.sort((a, b) -> Long.compare(a.entry.offset(), b.entry.offset()));
        String name = Repository.packName(pack);
        OpenFile open = new OpenFile();
        try {
            restoreSpans(name, needed, open);
        } finally {
            open.close();
        }
    }

    /** The file the last blob went to, kept open: a pack usually holds a file's blobs one after another. */
    private static final class OpenFile {
        FileJob job;
        FileChannel ch;

        FileChannel channelFor(FileJob j) throws IOException {
            if (job != j) {
                close();
                // Created here unless planning did; the planner removed whatever was at the path.
                ch = FileChannel.open(j.path(), StandardOpenOption.WRITE, StandardOpenOption.CREATE, LinkOption.NOFOLLOW_LINKS);
                job = j;
            }
            return ch;
        }

        void close() throws IOException {
            if (ch != null) {
                ch.close();
                ch = null;
                job = null;
            }
        }
    }

    private void restoreSpans(String name, List<BlobPlan> needed, OpenFile open) throws IOException {
        int i = 0;
        while (i < needed.size()) {
            // group consecutive blobs into one read of at most MAX_SPAN bytes
            long start = needed.get(i).entry.offset();
            int j = i;
            while (j + 1 < needed.size() && needed.get(j + 1).entry.offset() + needed.get(j + 1).entry.length() - start <= MAX_SPAN) {
                j++;
            }
            long end = needed.get(j).entry.offset() + needed.get(j).entry.length();
            byte[] span = repo.storage().load(name, start, (int) (end - start), spanBuffer.get());
            spanBuffer.set(span);
            for (int k = i; k <= j; k++) {
                BlobPlan plan = needed.get(k);
                PackEntry e = plan.entry;
                byte[] plain = plainBuffer.get();
                if (plain.length < e.rawLength()) {
                    plain = new byte[e.rawLength()];
                    plainBuffer.set(plain);
                }
                repo.openBlob(e, span, (int) (e.offset() - start), plain);
                write(plan.firstFile, plan.firstOffset, plain, e.rawLength(), open);
                for (Target t : plan.more) {
                    write(t.file(), t.offset(), plain, e.rawLength(), open);
                }
            }
            i = j + 1;
        }
    }

    private void write(FileJob file, long offset, byte[] plain, int length, OpenFile open) throws IOException {
        FileChannel ch = open.channelFor(file);
        SlicedIo.write(ch, plain, 0, length, offset);
        progress.bytesWritten(length);
        if (flusher != null) {
            flusher.wrote(file, length);
        }
        if (file.remaining.decrementAndGet() == 0) {
            if (opts.sync()) {
                ch.force(false); // one fsync covers the writes of every worker to this file
            }
            open.close(); // its times are set next, and must not be changed by a later write
            applyMetadata(file.path(), file.node);
            progress.fileDone(file.node.sizeOr0());
        }
    }

    private void mkfifo(Path dest, Node node) throws IOException {
        try {
            Process p = new ProcessBuilder("mkfifo", dest.toString()).redirectErrorStream(true).start();
            if (p.waitFor() != 0) {
                warnings.add(dest + ": could not create FIFO");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        applyOwner(dest, node);
        try {
            Files.setAttribute(dest, "unix:mode", node.mode());
            if (node.mtime() != null) {
                // Java opens a file to set its times, which blocks on a FIFO with no writer: use touch
                long ns = node.mtime();
                String stamp = "@" + Math.floorDiv(ns, 1_000_000_000L) + "." + String.format("%09d", Math.floorMod(ns, 1_000_000_000L));
                new ProcessBuilder("touch", "-m", "-h", "-d", stamp, dest.toString()).redirectErrorStream(true).start().waitFor();
            }
        } catch (IOException | InterruptedException e) {
            warnings.add(dest + ": could not set FIFO metadata (" + e.getMessage() + ")");
        }
    }

    private void applyOwner(Path p, Node node) {
        if (!root || node.uid() == null) {
            return;
        }
        try {
            Files.setAttribute(p, "unix:uid", node.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", node.gid(), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            warnings.add(p + ": could not set owner (" + e.getMessage() + ")");
        }
    }

    private void applyMetadata(Path p, Node node) {
        applyOwner(p, node);
        try {
            Files.setAttribute(p, "unix:mode", node.mode());
            if (node.mtime() != null) {
                Files.setLastModifiedTime(p, FileTime.from(node.mtime(), TimeUnit.NANOSECONDS));
            }
        } catch (IOException | RuntimeException e) {
            warnings.add(p + ": could not set mode or times (" + e.getMessage() + ")");
        }
    }
}
