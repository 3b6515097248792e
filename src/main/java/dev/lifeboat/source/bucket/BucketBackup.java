package dev.lifeboat.source.bucket;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.Hosts;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.repository.Trees;
import dev.lifeboat.source.files.FileBackup;
import dev.lifeboat.source.files.StreamSaver;
import dev.lifeboat.storage.s3.S3Location;
import dev.lifeboat.storage.s3.S3Storage;
import dev.lifeboat.util.Workers;
import dev.lifeboat.util.Version;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Backs up the objects of an S3 bucket (under an optional prefix) as a tree of files, keeping
 * each object's key, ETag, content type and user metadata. An object whose ETag, size and
 * last-modified time match the parent snapshot is not downloaded again.
 */
public final class BucketBackup {
    public static final String KIND = "bucket";

    public record Options(S3Location source, List<String> tags, String host, int threads) {
    }

    private final Repository repo;
    private final S3Client client;
    private final Options opts;

    public BucketBackup(Repository repo, S3Client client, Options opts) {
        this.repo = repo;
        this.client = client;
        this.opts = opts;
    }

    /** The path recorded in snapshots: the location without credentials, so parents can be found by it. */
    public static String pathOf(S3Location loc) {
        return loc.toString();
    }

    public FileBackup.Result run(SnapshotRef parent) throws IOException {
        Instant start = Instant.now();
        List<BucketObject> objects = list();
        repo.loadIndex();
        Map<String, Node> previous = parent == null ? Map.of() : previousObjects(parent);
        Map<String, Node> done = new ConcurrentHashMap<>();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        AtomicLong bytesAdded = new AtomicLong();
        AtomicLong bytesRead = new AtomicLong();
        AtomicInteger blobs = new AtomicInteger();
        AtomicInteger changed = new AtomicInteger();
        AtomicInteger fresh = new AtomicInteger();
        AtomicInteger unchanged = new AtomicInteger();
        AtomicReference<Throwable> fatal = new AtomicReference<>();
        java.util.concurrent.ConcurrentLinkedQueue<BucketObject> queue = new java.util.concurrent.ConcurrentLinkedQueue<>(objects);
        Workers.runAll(opts.threads(), "bucket", () -> {
            try (StreamSaver saver = new StreamSaver(repo)) {
                for (BucketObject o; (o = queue.poll()) != null && fatal.get() == null; ) {
                    Node old = previous.get(o.key());
                    if (old != null && same(old, o)) {
                        done.put(o.key(), old);
                        unchanged.incrementAndGet();
                        continue;
                    }
                    try (ResponseInputStream<GetObjectResponse> in = client.getObject(
                            software.amazon.awssdk.services.s3.model.GetObjectRequest.builder().bucket(opts.source().bucket()).key(o.key()).build())) {
                        GetObjectResponse meta = in.response();
                        StreamSaver.Saved s = saver.save(in, n -> { });
                        bytesAdded.addAndGet(s.bytesAdded());
                        bytesRead.addAndGet(s.size());
                        blobs.addAndGet(s.blobsAdded());
                        long mtime = o.lastModified().getEpochSecond() * 1_000_000_000L + o.lastModified().getNano();
                        Node.ObjectAttrs attrs = new Node.ObjectAttrs(relative(o.key()), meta.eTag(), meta.contentType(),
                                meta.metadata() == null || meta.metadata().isEmpty() ? null : new TreeMap<>(meta.metadata()));
                        done.put(o.key(), new Node("", Node.FILE, 0644, mtime, mtime, null, null, null, null, null, null,
                                null, s.size(), null, s.content(), null, attrs));
                        (old == null ? fresh : changed).incrementAndGet();
                    } catch (NoSuchKeyException e) {
                        errors.add(o.key() + ": deleted while the backup ran");
                    } catch (StreamSaver.StoreFailedException e) {
                        fatal.compareAndSet(null, e.getCause());
                    }
                }
                saver.flush();
            } catch (IOException | RuntimeException e) {
                fatal.compareAndSet(null, e);
            }
        });
        if (fatal.get() != null) {
            Throwable f = fatal.get();
            throw f instanceof IOException io ? io : new IOException(S3Storage.describe(f), f);
        }
        try (Trees trees = new Trees(repo)) {
            DirBuilder root = new DirBuilder();
            for (Map.Entry<String, Node> e : done.entrySet()) {
                root.add(relative(e.getKey()), e.getValue());
            }
            BlobId tree = root.save(trees);
            trees.flush();
            repo.flushIndex();
            Instant end = Instant.now();
            long total = done.values().stream().mapToLong(Node::sizeOr0).sum();
            Snapshot.Summary summary = new Snapshot.Summary(start, end, fresh.get(), changed.get(), unchanged.get(),
                    root.dirCount(), blobs.get(), trees.blobsAdded(), bytesAdded.get() + trees.bytesAdded(),
                    bytesRead.get(), done.size(), total, List.copyOf(errors));
            Snapshot snap = new Snapshot(1, start, tree.hex(), parent == null ? null : parent.id().hex(),
                    List.of(pathOf(opts.source())), opts.host() != null ? opts.host() : Hosts.hostname(), Hosts.username(),
                    opts.tags(), KIND, List.of(), summary, null, Version.get());
            return new FileBackup.Result(Snapshots.save(repo, snap), snap);
        }
    }

    private String relative(String key) {
        return key.substring(opts.source().keyPrefix().length());
    }

    private static boolean same(Node old, BucketObject o) {
        long mtime = o.lastModified().getEpochSecond() * 1_000_000_000L + o.lastModified().getNano();
        return old.object() != null && o.etag() != null && o.etag().equals(old.object().etag())
                && old.sizeOr0() == o.size() && old.mtime() != null && old.mtime() == mtime;
    }

    private List<BucketObject> list() throws IOException {
        List<BucketObject> out = new ArrayList<>();
        String token = null;
        try {
            do {
                String t = token;
                ListObjectsV2Response page = client.listObjectsV2(ListObjectsV2Request.builder()
                        .bucket(opts.source().bucket()).prefix(opts.source().keyPrefix()).continuationToken(t).build());
                for (S3Object o : page.contents()) {
                    out.add(new BucketObject(o.key(), o.eTag(), o.size(), o.lastModified()));
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (NoSuchBucketException e) {
            throw new IOException("bucket " + opts.source().bucket() + " does not exist");
        } catch (SdkException e) {
            throw new IOException("cannot list " + pathOf(opts.source()) + ": " + S3Storage.describe(e), e);
        }
        return out;
    }


    /** Every object of the parent snapshot by its full key. */
    private Map<String, Node> previousObjects(SnapshotRef parent) throws IOException {
        Map<String, Node> out = new HashMap<>();
        collect(parent.snapshot().tree(), out);
        return out;
    }

    private void collect(String treeId, Map<String, Node> out) throws IOException {
        Tree t = Trees.load(repo, BlobId.parse(treeId));
        for (Node n : t.nodes()) {
            if (n.isDir()) {
                collect(n.subtree(), out);
            } else if (n.object() != null) {
                out.put(opts.source().keyPrefix() + n.object().key(), n);
            }
        }
    }

    /**
     * Builds the directory trees from keys split at "/". Names that are not safe as file names
     * ("", ".", "..", or holding "%") are percent-encoded; a key that is both an object and a
     * "directory" of other keys keeps the object under the name with a trailing "%". The exact key
     * is always in the node's attributes.
     */
    private static final class DirBuilder {
        private final Map<String, DirBuilder> dirs = new TreeMap<>();
        private final Map<String, Node> files = new TreeMap<>();
        private int count;

        void add(String relKey, Node node) {
            String[] parts = relKey.split("/", -1);
            DirBuilder d = this;
            for (int i = 0; i < parts.length - 1; i++) {
                d = d.dirs.computeIfAbsent(safe(parts[i]), k -> new DirBuilder());
            }
            d.files.put(safe(parts[parts.length - 1]), node);
        }

        static String safe(String part) {
            String p = part.replace("%", "%25");
            if (p.isEmpty()) {
                return "%";
            }
            return p.equals(".") ? "%2E" : p.equals("..") ? "%2E%2E" : p;
        }

        BlobId save(Trees trees) throws IOException {
            List<Node> nodes = new ArrayList<>();
            for (Map.Entry<String, DirBuilder> e : dirs.entrySet()) {
                BlobId sub = e.getValue().save(trees);
                count += 1 + e.getValue().count;
                nodes.add(new Node(e.getKey(), Node.DIR, 0755, null, null, null, null, null, null, null, null, null,
                        null, null, null, sub.hex()));
            }
            for (Map.Entry<String, Node> e : files.entrySet()) {
                String name = dirs.containsKey(e.getKey()) ? e.getKey() + "%" : e.getKey();
                Node n = e.getValue();
                nodes.add(new Node(name, n.type(), n.mode(), n.mtime(), n.ctime(), n.uid(), n.gid(), n.user(), n.group(),
                        n.inode(), n.device(), n.links(), n.size(), n.target(), n.content(), n.subtree(), n.object()));
            }
            nodes.sort(java.util.Comparator.comparing(Node::name));
            return trees.save(new Tree(nodes));
        }

        int dirCount() {
            return count;
        }
    }

    /** The latest bucket snapshot of the same location, for incremental backups. */
    public static SnapshotRef findParent(Repository repo, S3Location loc, String host) throws IOException {
        SnapshotRef best = null;
        String path = pathOf(loc);
        for (SnapshotRef r : Snapshots.all(repo)) {
            Snapshot s = r.snapshot();
            if (KIND.equals(s.kind()) && s.paths().equals(List.of(path)) && host.equals(s.hostname())
                    && (best == null || s.time().isAfter(best.snapshot().time()))) {
                best = r;
            }
        }
        return best;
    }

}
