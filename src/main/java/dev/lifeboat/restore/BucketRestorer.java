package dev.lifeboat.restore;

import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.TreeWalker;
import dev.lifeboat.storage.s3.S3Location;
import dev.lifeboat.storage.s3.S3Storage;
import dev.lifeboat.util.Workers;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Puts the files of a snapshot back into an S3 bucket: objects backed up from a bucket go back
 * under their own keys with their content type and user metadata; other files under their path.
 * Optionally only paths below an include, and optionally skipping objects already identical.
 */
public final class BucketRestorer {

    public record Options(S3Location target, List<String> includes, boolean skipIdentical, int threads) {
    }

    public record Result(int objects, int skipped, long bytes) {
    }

    private record Item(String path, Node node) {
    }

    private final Repository repo;
    private final S3Client client;
    private final Options opts;

    public BucketRestorer(Repository repo, S3Client client, Options opts) {
        this.repo = repo;
        this.client = client;
        this.opts = opts;
    }

    public Result run(SnapshotRef snap) throws IOException {
        repo.loadIndex();
        List<Item> items = new ArrayList<>();
        new TreeWalker(repo).walk(snap.snapshot().tree(), (path, node) -> {
            if (node.isFile() && included(path)) {
                items.add(new Item(path, node));
            }
            return true;
        });
        ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>(items);
        AtomicInteger put = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Workers.runAll(opts.threads(), "put", () -> {
            try {
                for (Item it; failure.get() == null && (it = queue.poll()) != null; ) {
                    String key = keyOf(it);
                    if (opts.skipIdentical() && identical(key, it.node())) {
                        skipped.incrementAndGet();
                        continue;
                    }
                    upload(key, it.node());
                    put.incrementAndGet();
                    bytes.addAndGet(it.node().sizeOr0());
                }
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        });
        Throwable f = failure.get();
        if (f != null) {
            String done = put.get() + " of " + items.size() + " objects were put before the failure";
            if (f instanceof UncheckedIOException u) {
                f = u.getCause();
            }
            throw new IOException("restore to " + opts.target() + " failed: " + S3Storage.describe(f) + "; " + done, f);
        }
        return new Result(put.get(), skipped.get(), bytes.get());
    }

    private boolean included(String path) {
        if (opts.includes().isEmpty()) {
            return true;
        }
        for (String inc : opts.includes()) {
            String p = "/" + inc.replaceAll("^/+|/+$", "");
            if (path.equals(p) || path.startsWith(p + "/") || p.equals("/")) {
                return true;
            }
        }
        return false;
    }

    private String keyOf(Item it) {
        String rel = it.node().object() != null ? it.node().object().key() : it.path().substring(1);
        return opts.target().keyPrefix() + rel;
    }

    private boolean identical(String key, Node node) {
        try {
            HeadObjectResponse h = client.headObject(HeadObjectRequest.builder().bucket(opts.target().bucket()).key(key).build());
            return h.contentLength() != null && h.contentLength() == node.sizeOr0() && node.object() != null
                    && node.object().etag() != null && node.object().etag().equals(h.eTag());
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private void upload(String key, Node node) {
        PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(opts.target().bucket()).key(key);
        String type = "application/octet-stream";
        if (node.object() != null) {
            if (node.object().contentType() != null) {
                type = node.object().contentType();
            }
            if (node.object().metadata() != null) {
                req.metadata(node.object().metadata());
            }
        }
        req.contentType(type);
        // A fresh stream per attempt, so the SDK can retry without buffering the object.
        client.putObject(req.build(), RequestBody.fromContentProvider(() -> dev.lifeboat.repository.Content.stream(repo, node.content()),
                node.sizeOr0(), type));
    }
}
