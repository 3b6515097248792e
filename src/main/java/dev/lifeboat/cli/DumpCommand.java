package dev.lifeboat.cli;

import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryException;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.TreeWalker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.OutputStream;
import java.util.concurrent.Callable;

@Command(name = "dump", mixinStandardHelpOptions = true, description = "Write one file of a snapshot to standard output.")
final class DumpCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Parameters(index = "0", paramLabel = "SNAPSHOT")
    String snapshot;
    @Parameters(index = "1", paramLabel = "FILE", description = "Path in the snapshot, as ls shows it.")
    String file;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = Repos.open(g)) {
            repo.loadIndex();
            SnapshotRef snap = Snapshots.find(repo, snapshot);
            Node n = new TreeWalker(repo).find(snap.snapshot().tree(), file);
            if (n == null) {
                throw new RepositoryException("path " + file + " is not in snapshot " + snap.shortId());
            }
            if (!n.isFile()) {
                throw new RepositoryException(file + " is a " + n.type() + ", not a file");
            }
            OutputStream out = System.out;
            dev.lifeboat.repository.Content.writeTo(repo, n.content(), out);
            out.flush();
            if (System.out.checkError()) {
                throw new java.io.IOException("could not write to standard output (closed pipe or full disk)");
            }
        }
        return 0;
    }
}
