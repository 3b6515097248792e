package dev.lifeboat.cli;

import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryException;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.TreeWalker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "ls", mixinStandardHelpOptions = true, description = "List the files of a snapshot.")
final class LsCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "Snapshot id prefix or \"latest\".")
    String snapshot;
    @Parameters(index = "1", arity = "0..1", paramLabel = "PATH", description = "Only this path and below.")
    String path;
    @Option(names = {"-l", "--long"}, description = "Show mode, size and modification time.")
    boolean longFormat;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = Repos.open(g)) {
            repo.loadIndex();
            SnapshotRef snap = Snapshots.find(repo, snapshot);
            String prefix = path == null ? null : "/" + path.replaceAll("^/+|/+$", "");
            if (prefix != null && !prefix.equals("/") && new TreeWalker(repo).find(snap.snapshot().tree(), prefix) == null) {
                throw new RepositoryException("path " + path + " is not in snapshot " + snap.shortId());
            }
            new TreeWalker(repo).walk(snap.snapshot().tree(), (p, n) -> {
                boolean inside = prefix == null || prefix.equals("/") || p.equals(prefix) || p.startsWith(prefix + "/");
                boolean above = prefix != null && prefix.startsWith(p + "/");
                if (inside) {
                    print(p, n);
                }
                return inside || above;
            });
        }
        return 0;
    }

    private void print(String p, Node n) {
        if (g.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", p);
            m.put("type", n.type());
            m.put("mode", String.format("%04o", n.mode()));
            m.put("size", n.size());
            m.put("mtime", n.mtime() == null ? null : Instant.ofEpochSecond(0, n.mtime()).toString());
            if (n.target() != null) {
                m.put("target", n.target());
            }
            Out.line(dev.lifeboat.util.Json.MAPPER.valueToTree(m).toString());
        } else if (longFormat) {
            Out.line(String.format("%s %04o %8s %12d %s %s%s", n.type().charAt(0), n.mode(),
                    n.user() == null ? "" : n.user(), n.sizeOr0(),
                    n.mtime() == null ? "" : SnapshotsCommand.TIME.format(Instant.ofEpochSecond(0, n.mtime())), p,
                    n.target() != null ? " -> " + n.target() : ""));
        } else {
            Out.line(p);
        }
    }
}
