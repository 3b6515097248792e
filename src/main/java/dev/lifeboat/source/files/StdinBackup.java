package dev.lifeboat.source.files;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.Hosts;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.repository.Trees;
import dev.lifeboat.util.Version;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;

/** Backs up one stream (a database dump, a tar) as a single file in a new snapshot. */
public final class StdinBackup {
    private final Repository repo;
    private final String name;
    private final List<String> tags;
    private final String host;

    public StdinBackup(Repository repo, String name, List<String> tags, String host) {
        this.repo = repo;
        this.name = name;
        this.tags = tags;
        this.host = host;
    }

    public FileBackup.Result run(InputStream in) throws IOException {
        Instant start = Instant.now();
        repo.loadIndex();
        StreamSaver.Saved saved;
        try (StreamSaver saver = new StreamSaver(repo); Trees trees = new Trees(repo)) {
            try {
                saved = saver.save(in, n -> { });
            } catch (StreamSaver.StoreFailedException e) {
                throw e.getCause();
            }
            long now = Instant.now().toEpochMilli() * 1_000_000L;
            Node file = new Node(name, Node.FILE, 0600, now, now, null, null, null, null, null, null, null,
                    saved.size(), null, saved.content(), null);
            BlobId tree = trees.save(new Tree(List.of(file)));
            saver.flush();
            trees.flush();
            repo.flushIndex();
            Instant end = Instant.now();
            Snapshot.Summary summary = new Snapshot.Summary(start, end, 1, 0, 0, 0, saved.blobsAdded(),
                    trees.blobsAdded(), saved.bytesAdded() + trees.bytesAdded(), saved.size(), 1, saved.size(), List.of());
            Snapshot snap = new Snapshot(1, start, tree.hex(), null, List.of("/" + name), host != null ? host : Hosts.hostname(),
                    Hosts.username(), tags, "stdin", List.of(), summary, null, Version.get());
            return new FileBackup.Result(Snapshots.save(repo, snap), snap);
        }
    }
}
