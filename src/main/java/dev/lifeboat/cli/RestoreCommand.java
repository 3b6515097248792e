package dev.lifeboat.cli;

import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.restore.FileRestorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore a snapshot into a directory.")
final class RestoreCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "Snapshot id prefix or \"latest\".")
    String snapshot;
    @Option(names = {"-t", "--target"}, description = "Directory to restore into.")
    Path target;
    @Option(names = "--to-bucket", paramLabel = "s3:ENDPOINT/BUCKET[/PREFIX]",
            description = "Put the files back into an S3 bucket instead: objects backed up from a bucket under their keys, with content type and metadata.")
    String toBucket;
    @Option(names = "--skip-identical", description = "With --to-bucket: leave objects that are already there with the same size and ETag.")
    boolean skipIdentical;
    @Option(names = {"-i", "--include"}, paramLabel = "PATH", description = "Restore only PATH (as shown by ls) and below; repeatable.")
    List<String> includes = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        if ((target == null) == (toBucket == null)) {
            throw new IllegalArgumentException("give either --target DIR or --to-bucket s3:...");
        }
        if (toBucket != null) {
            return restoreToBucket(t0);
        }
        if (skipIdentical) {
            throw new IllegalArgumentException("--skip-identical goes with --to-bucket");
        }
        dev.lifeboat.crypto.Aead.prepareForBulkOpen();
        try (Repository repo = Repos.openAndPreload(g); Locks.Held lock = Locks.acquire(repo, false, "restore")) {
            SnapshotRef snap = Snapshots.find(repo, snapshot);
            FileRestorer.Result r = new FileRestorer(repo, new FileRestorer.Options(target, includes, g.threads),
                    Progress.restore(g)).run(snap);
            for (String w : r.warnings()) {
                Out.warn(w);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (g.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("snapshot", snap.id().hex());
                m.put("files", r.files());
                m.put("dirs", r.dirs());
                m.put("bytes", r.bytes());
                m.put("seconds", secs);
                m.put("warnings", r.warnings());
                Out.json(m);
            } else if (!g.quiet) {
                Out.line(String.format("restored snapshot %s: %d files, %d dirs, %s in %.1f s to %s", snap.shortId(),
                        r.files(), r.dirs(), Sizes.human(r.bytes()), secs, target.toAbsolutePath()));
            }
        }
        return 0;
    }

    private int restoreToBucket(long t0) throws Exception {
        dev.lifeboat.storage.s3.S3Location dst = dev.lifeboat.storage.s3.S3Location.parse(toBucket);
        try (Repository repo = Repos.openAndPreload(g); Locks.Held lock = Locks.acquire(repo, false, "restore");
             software.amazon.awssdk.services.s3.S3Client client = dev.lifeboat.storage.s3.S3Storage.buildClient(dst,
                     dev.lifeboat.storage.s3.S3Options.fromEnvironment(dst))) {
            SnapshotRef snap = Snapshots.find(repo, snapshot);
            dev.lifeboat.restore.BucketRestorer.Result r = new dev.lifeboat.restore.BucketRestorer(repo, client,
                    new dev.lifeboat.restore.BucketRestorer.Options(dst, includes, skipIdentical, Math.max(4, g.threads))).run(snap);
            double secs = (System.nanoTime() - t0) / 1e9;
            if (g.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("snapshot", snap.id().hex());
                m.put("objects", r.objects());
                m.put("skipped", r.skipped());
                m.put("bytes", r.bytes());
                m.put("seconds", secs);
                Out.json(m);
            } else if (!g.quiet) {
                Out.line(String.format("restored snapshot %s: %d objects put, %d already identical, %s in %.1f s to %s",
                        snap.shortId(), r.objects(), r.skipped(), Sizes.human(r.bytes()), secs, dst));
            }
        }
        return 0;
    }
}
