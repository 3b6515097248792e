package dev.lifeboat.source.files;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.Hosts;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.repository.Trees;
import dev.lifeboat.util.Version;
import dev.lifeboat.util.Workers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backs up directory trees. One thread walks and stats (cheap, sequential metadata), a pool reads,
 * chunks and stores file contents, and each directory's tree is written as soon as all its
 * entries are done. Files whose size, mtime, ctime and inode match the parent snapshot are not read.
 */
public final class FileBackup {
    public record Options(List<Path> paths, List<String> tags, String host, Excludes excludes,
                          boolean oneFileSystem, int threads) {
    }

    public record Result(BlobId id, Snapshot snapshot) {
        public boolean partial() {
            return !snapshot.summary().errors().isEmpty();
        }
    }

    private static final int MAX_FILES_IN_FLIGHT = 512;
    private static final int MAX_ERRORS_RECORDED = 1000;

    private final Repository repo;
    private final Options opts;
    private final BackupProgress progress;
    private final List<StreamSaver> savers = Collections.synchronizedList(new ArrayList<>());
    private final ThreadLocal<StreamSaver> saver;
    private final Semaphore inFlight = new Semaphore(MAX_FILES_IN_FLIGHT);
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong filesNew = new AtomicLong(), filesChanged = new AtomicLong(),
            filesUnmodified = new AtomicLong(), dirs = new AtomicLong(), dataBlobs = new AtomicLong(),
            bytesAdded = new AtomicLong(), bytesProcessed = new AtomicLong(), totalBytes = new AtomicLong();
    private volatile Throwable failure;
    private ExecutorService pool;
    private ExecutorService walkers;
    private Trees trees;

    public FileBackup(Repository repo, Options opts, BackupProgress progress) {
        this.repo = repo;
        this.opts = opts;
        this.progress = progress;
        this.saver = ThreadLocal.withInitial(() -> {
            StreamSaver s = new StreamSaver(repo);
            savers.add(s);
            return s;
        });
    }

    public Result run(SnapshotRef parent) throws IOException {
        Instant start = Instant.now();
        List<Path> paths = new ArrayList<>();
        for (Path p : opts.paths()) {
            Path abs = p.toAbsolutePath().normalize();
            if (!Files.exists(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new NoSuchFileException(abs.toString(), null, "backup source does not exist");
            }
            paths.add(abs);
        }
        repo.loadIndex();
        if (progress.wantsTotals()) {
            startScanner(paths);
        }
        pool = Executors.newFixedThreadPool(Math.max(1, opts.threads()), Workers.daemons("backup-worker"));
        // Listing, stat and loading the parent's trees are metadata work that dominates an
        // incremental backup; two walkers keep the disk and the file workers busy. They take the
        // newest directory first, depth first: a directory's entries wait in memory until its whole
        // subtree is done, and breadth first kept most of the tree's file entries waiting at once.
        walkers = new java.util.concurrent.ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
                new java.util.concurrent.LinkedBlockingDeque<>() {
                    @Override
                    public boolean offer(Runnable r) {
                        return offerFirst(r);
                    }
                }, Workers.daemons("backup-walker"));
        trees = new Trees(repo);
        try {
            Tree parentRoot = parent == null ? null : loadTreeOrNull(parent.snapshot().tree(), "parent snapshot");
            VirtualDir root = VirtualDir.of(paths);
            CompletableFuture<Tree> rootTree = virtualChildren(root, parentRoot);
            Tree tree = join(rootTree);
            walkers.shutdown();
            BlobId treeId = trees.save(tree);
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.DAYS);
            for (StreamSaver s : savers) {
                s.startFlush();
            }
            trees.startFlush();
            repo.flushIndex();
            Instant end = Instant.now();
            Snapshot.Summary summary = new Snapshot.Summary(start, end, filesNew.get(), filesChanged.get(),
                    filesUnmodified.get(), dirs.get(), dataBlobs.get(), trees.blobsAdded(),
                    bytesAdded.get() + trees.bytesAdded(), bytesProcessed.get(),
                    filesNew.get() + filesChanged.get() + filesUnmodified.get(), totalBytes.get(), List.copyOf(errors));
            Snapshot snap = new Snapshot(1, start, treeId.hex(), parent == null ? null : parent.id().hex(),
                    paths.stream().map(Path::toString).toList(), opts.host() != null ? opts.host() : Hosts.hostname(),
                    Hosts.username(), opts.tags(), "files", opts.excludes().patterns(), summary, null, Version.get());
            BlobId id = Snapshots.save(repo, snap);
            progress.finished();
            return new Result(id, snap);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("backup interrupted");
        } finally {
            pool.shutdownNow();
            walkers.shutdownNow();
            for (StreamSaver s : savers) {
                s.close();
            }
            trees.close();
        }
    }

    /** Counts files and bytes ahead of the backup so progress can show an ETA. */
    private void startScanner(List<Path> paths) {
        Workers.startDaemon("backup-scanner", () -> {
            long[] totals = new long[2];
            for (Path root : paths) {
                try {
                    Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
                        @Override
                        public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) {
                            return !dir.equals(root) && opts.excludes().excluded(dir)
                                    ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
                        }

                        @Override
                        public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                            if (a.isRegularFile() && !opts.excludes().excluded(file)) {
                                totals[0]++;
                                totals[1] += a.size();
                            }
                            return java.nio.file.FileVisitResult.CONTINUE;
                        }

                        @Override
                        public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                            return java.nio.file.FileVisitResult.CONTINUE;
                        }
                    });
                } catch (IOException ignored) {
                    // the backup itself reports unreadable paths
                }
            }
            progress.scanned(totals[0], totals[1]);
        });
    }

    private Tree join(CompletableFuture<Tree> f) throws IOException {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable c = failure != null ? failure : e.getCause();
            if (c instanceof StreamSaver.StoreFailedException s) {
                throw s.getCause();
            }
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(c);
        }
    }

    private Tree loadTreeOrNull(String id, String what) {
        if (id == null) {
            return null;
        }
        try {
            return Trees.load(repo, BlobId.parse(id));
        } catch (IOException e) {
            warn("cannot read " + what + " tree " + id.substring(0, 8) + " (" + e.getMessage() + "); reading all files again");
            return null;
        }
    }

    /** The synthetic directories leading from "/" to each backup path. */
    private record VirtualDir(Path real, boolean leaf, Map<String, VirtualDir> children) {
        static VirtualDir of(List<Path> paths) {
            VirtualDir root = new VirtualDir(null, false, new TreeMap<>());
            for (Path p : paths) {
                VirtualDir cur = root;
                Path sofar = p.getRoot();
                int n = p.getNameCount();
                for (int i = 0; i < n && !cur.leaf; i++) {
                    sofar = sofar.resolve(p.getName(i));
                    String name = p.getName(i).toString();
                    boolean last = i == n - 1;
                    VirtualDir next = cur.children.get(name);
                    if (next == null || (last && !next.leaf)) {
                        next = new VirtualDir(sofar, last, last ? Map.of() : new TreeMap<>());
                        cur.children.put(name, next);
                    }
                    cur = next;
                }
            }
            return root;
        }
    }

    private CompletableFuture<Tree> virtualChildren(VirtualDir dir, Tree parentTree) throws IOException {
        List<CompletableFuture<Node>> nodes = new ArrayList<>();
        for (Map.Entry<String, VirtualDir> e : dir.children().entrySet()) {
            VirtualDir child = e.getValue();
            Node parentNode = parentTree == null ? null : parentTree.find(e.getKey());
            if (child.leaf()) {
                nodes.add(entry(child.real(), parentNode));
            } else {
                FileStat st = FileStat.of(child.real());
                Tree sub = parentNode == null ? null : loadTreeOrNull(parentNode.subtree(), child.real().toString());
                Node dirNode = st.toNode(e.getKey(), child.real(), null, null);
                nodes.add(virtualChildren(child, sub).thenApply(t -> saveDir(dirNode, t)));
            }
        }
        return allOf(nodes);
    }

    private static CompletableFuture<Tree> allOf(List<CompletableFuture<Node>> nodes) {
        return CompletableFuture.allOf(nodes.toArray(new CompletableFuture[0])).thenApply(v -> {
            List<Node> list = new ArrayList<>(nodes.size());
            for (CompletableFuture<Node> f : nodes) {
                Node n = f.join();
                if (n != null) {
                    list.add(n);
                }
            }
            return new Tree(list);
        });
    }

    private Node saveDir(Node dirNode, Tree tree) {
        try {
            dirs.incrementAndGet();
            return dirNode.withSubtree(trees.save(tree).hex());
        } catch (IOException e) {
            throw new StreamSaver.StoreFailedException(e);
        }
    }

    private CompletableFuture<Node> entry(Path p, Node parentNode) {
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        String name = p.getFileName() == null ? "/" : p.getFileName().toString();
        FileStat st;
        try {
            st = FileStat.of(p);
        } catch (IOException e) {
            return skipped(p, e);
        }
        try {
            return switch (st.type()) {
                case Node.DIR -> CompletableFuture.supplyAsync(() -> {
                    try {
                        return directory(p, name, st, parentNode);
                    } catch (IOException e) {
                        return skipped(p, e);
                    }
                }, walkers).thenCompose(f -> f);
                case Node.FILE -> file(p, name, st, parentNode);
                case Node.SYMLINK -> CompletableFuture.completedFuture(
                        st.toNode(name, p, null, Files.readSymbolicLink(p).toString()));
                default -> CompletableFuture.completedFuture(st.toNode(name, p, null, null));
            };
        } catch (IOException e) {
            return skipped(p, e);
        }
    }

    private CompletableFuture<Node> skipped(Path p, IOException e) {
        String msg = p + ": " + describe(e);
        warn("skipped " + msg);
        if (errors.size() < MAX_ERRORS_RECORDED) {
            errors.add(msg);
        }
        return CompletableFuture.completedFuture(null);
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "vanished during backup";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private void warn(String message) {
        progress.warning(message);
    }

    private CompletableFuture<Node> directory(Path dir, String name, FileStat st, Node parentNode) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path c : ds) {
                children.add(c);
            }
        }
        children.sort(null);
        Node dirNode = st.toNode(name, dir, null, null);
        List<String> names = children.stream().map(c -> c.getFileName().toString()).toList();
        if (opts.excludes().hasMarker(dir, names) || (opts.oneFileSystem() && crossesDevice(dir, st))) {
            return CompletableFuture.completedFuture(saveDir(dirNode, new Tree(List.of())));
        }
        Tree parentTree = parentNode == null || !parentNode.isDir() ? null
                : loadTreeOrNull(parentNode.subtree(), dir.toString());
        List<CompletableFuture<Node>> nodes = new ArrayList<>(children.size());
        java.util.function.Function<String, Node> inParent = parentTree == null ? n -> null : parentTree.finder();
        for (Path c : children) {
            if (opts.excludes().excluded(c)) {
                continue;
            }
            nodes.add(entry(c, inParent.apply(c.getFileName().toString())));
        }
        return allOf(nodes).thenApply(t -> saveDir(dirNode, t));
    }

    private final Map<Path, Long> rootDevices = new java.util.concurrent.ConcurrentHashMap<>();

    private boolean crossesDevice(Path dir, FileStat st) {
        for (Path root : opts.paths()) {
            Path abs = root.toAbsolutePath().normalize();
            if (dir.startsWith(abs)) {
                long dev = rootDevices.computeIfAbsent(abs, r -> {
                    try {
                        return FileStat.of(r).device();
                    } catch (IOException e) {
                        return st.device();
                    }
                });
                return dev != st.device();
            }
        }
        return false;
    }

    private CompletableFuture<Node> file(Path p, String name, FileStat st, Node parentNode) {
        totalBytes.addAndGet(st.size());
        if (st.unchangedSince(parentNode) && allStored(parentNode.content())) {
            filesUnmodified.incrementAndGet();
            progress.fileDone(p, st.size(), true);
            return CompletableFuture.completedFuture(st.toNode(name, p, st.size(), null)
                    .withContent(parentNode.content(), st.size()));
        }
        boolean changed = parentNode != null;
        inFlight.acquireUninterruptibly();
        CompletableFuture<Node> f = new CompletableFuture<>();
        pool.execute(() -> {
            try {
                f.complete(readFile(p, name, st, changed));
            } catch (Throwable t) {
                if (t instanceof StreamSaver.StoreFailedException || t instanceof Error) {
                    synchronized (this) {
                        if (failure == null) { // the first failure is the cause; later ones only say "aborted"
                            failure = t;
                        }
                    }
                }
                f.completeExceptionally(t);
            } finally {
                inFlight.release();
            }
        });
        return f;
    }

    private boolean allStored(List<String> content) {
        for (String id : content) {
            if (!repo.hasBlob(BlobId.parse(id))) {
                return false;
            }
        }
        return true;
    }

    private Node readFile(Path p, String name, FileStat st, boolean changed) {
        if (failure != null) {
            throw new StreamSaver.StoreFailedException(new IOException("backup aborted"));
        }
        StreamSaver.Saved saved;
        try (InputStream in = Files.newInputStream(p)) {
            saved = saver.get().save(in, progress::bytesRead);
        } catch (IOException e) {
            skipped(p, e);
            return null;
        }
        (changed ? filesChanged : filesNew).incrementAndGet();
        dataBlobs.addAndGet(saved.blobsAdded());
        bytesAdded.addAndGet(saved.bytesAdded());
        bytesProcessed.addAndGet(saved.size());
        progress.fileDone(p, saved.size(), false);
        return st.toNode(name, p, saved.size(), null).withContent(saved.content(), saved.size());
    }
}
