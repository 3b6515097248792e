package dev.lifeboat.cli;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.Node;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.repository.Tree;
import dev.lifeboat.repository.TreeWalker;
import dev.lifeboat.repository.Trees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Show what changed between two snapshots.",
                "+ added, - removed, M content modified, T type changed, U metadata changed."})
final class DiffCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Parameters(index = "0", paramLabel = "SNAPSHOT1")
    String first;
    @Parameters(index = "1", paramLabel = "SNAPSHOT2")
    String second;

    private Repository repo;
    private final List<Map<String, String>> changes = new ArrayList<>();
    private final Map<String, Long> counts = new TreeMap<>();

    @Override
    public Integer call() throws Exception {
        try (Repository r = Repos.open(g)) {
            repo = r;
            repo.loadIndex();
            SnapshotRef a = Snapshots.find(repo, first);
            SnapshotRef b = Snapshots.find(repo, second);
            compare("", BlobId.parse(a.snapshot().tree()), BlobId.parse(b.snapshot().tree()));
            if (g.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("from", a.id().hex());
                m.put("to", b.id().hex());
                m.put("changes", changes);
                m.put("counts", counts);
                Out.json(m);
            } else {
                for (Map<String, String> c : changes) {
                    Out.line(String.format("%-4s %s", c.get("change"), c.get("path")));
                }
                Out.line(String.format("%d added, %d removed, %d modified, %d type changed, %d metadata changed",
                        counts.getOrDefault("+", 0L), counts.getOrDefault("-", 0L), counts.getOrDefault("M", 0L),
                        counts.getOrDefault("T", 0L), counts.getOrDefault("U", 0L)));
            }
        }
        return 0;
    }

    private void compare(String prefix, BlobId ta, BlobId tb) throws IOException {
        if (Objects.equals(ta, tb)) {
            return;
        }
        Map<String, Node> left = nodes(ta);
        Map<String, Node> right = nodes(tb);
        TreeMap<String, Boolean> names = new TreeMap<>();
        left.keySet().forEach(n -> names.put(n, true));
        right.keySet().forEach(n -> names.put(n, true));
        for (String name : names.keySet()) {
            String path = prefix + "/" + name;
            Node a = left.get(name);
            Node b = right.get(name);
            if (a == null) {
                all("+", path, b);
            } else if (b == null) {
                all("-", path, a);
            } else if (!a.type().equals(b.type())) {
                add("T", path);
            } else if (a.isDir()) {
                if (metadataDiffers(a, b)) {
                    add("U", path);
                }
                compare(path, id(a.subtree()), id(b.subtree()));
            } else if (a.isFile() && !Objects.equals(a.content(), b.content())) {
                add("M", path);
            } else if (!Objects.equals(a.target(), b.target()) || metadataDiffers(a, b)) {
                add("U", path);
            }
        }
    }

    private void all(String change, String path, Node n) throws IOException {
        add(change, path);
        if (n.isDir() && n.subtree() != null) {
            new TreeWalker(repo).walk(n.subtree(), (p, child) -> {
                add(change, path + p);
                return true;
            });
        }
    }

    private static boolean metadataDiffers(Node a, Node b) {
        return a.mode() != b.mode() || !Objects.equals(a.uid(), b.uid()) || !Objects.equals(a.gid(), b.gid())
                || !Objects.equals(a.mtime(), b.mtime());
    }

    private static BlobId id(String hex) {
        return hex == null ? null : BlobId.parse(hex);
    }

    private Map<String, Node> nodes(BlobId tree) throws IOException {
        Map<String, Node> m = new LinkedHashMap<>();
        if (tree != null) {
            Tree t = Trees.load(repo, tree);
            for (Node n : t.nodes()) {
                m.put(n.name(), n);
            }
        }
        return m;
    }

    private void add(String change, String path) {
        changes.add(Map.of("change", change, "path", path));
        counts.merge(change, 1L, Long::sum);
    }
}
