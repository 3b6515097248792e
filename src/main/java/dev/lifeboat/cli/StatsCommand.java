package dev.lifeboat.cli;

import dev.lifeboat.repository.BlobType;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.storage.ObjectInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Stored versus original size, with deduplication and compression ratios.")
final class StatsCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = Repos.open(g)) {
            repo.loadIndex();
            List<SnapshotRef> snaps = Snapshots.all(repo);
            long original = 0;
            for (SnapshotRef r : snaps) {
                if (r.snapshot().summary() != null) {
                    original += r.snapshot().summary().totalBytes();
                }
            }
            long[] v = new long[5]; // data blobs, tree blobs, raw data, stored data, stored trees
            repo.index().forEach(e -> {
                if (e.type() == BlobType.DATA) {
                    v[0]++;
                    v[2] += e.rawLength();
                    v[3] += e.length();
                } else {
                    v[1]++;
                    v[4] += e.length();
                }
            });
            long packs = 0;
            long packBytes = 0;
            for (ObjectInfo o : repo.list(Repository.DATA)) {
                packs++;
                packBytes += o.size();
            }
            long repoBytes = packBytes;
            for (String dir : List.of(Repository.INDEX, Repository.SNAPSHOTS, Repository.KEYS)) {
                for (ObjectInfo o : repo.list(dir)) {
                    repoBytes += o.size();
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("snapshots", snaps.size());
            m.put("original_bytes", original);
            m.put("unique_data_bytes", v[2]);
            m.put("stored_data_bytes", v[3]);
            m.put("stored_tree_bytes", v[4]);
            m.put("repository_bytes", repoBytes);
            m.put("packs", packs);
            m.put("data_blobs", v[0]);
            m.put("tree_blobs", v[1]);
            m.put("dedup_ratio", ratio(original, v[2]));
            m.put("compression_ratio", ratio(v[2], v[3]));
            m.put("total_ratio", ratio(original, repoBytes));
            m.put("index_memory_bytes", repo.index().memoryBytes());
            if (g.json) {
                Out.json(m);
                return 0;
            }
            Out.line("Snapshots:          " + snaps.size());
            Out.line("Original size:      " + Sizes.human(original) + " (sum over snapshots)");
            Out.line("Unique data:        " + Sizes.human(v[2]) + " in " + v[0] + " blobs");
            Out.line("Stored data:        " + Sizes.human(v[3]) + " (+ " + Sizes.human(v[4]) + " in " + v[1] + " tree blobs)");
            Out.line("Repository size:    " + Sizes.human(repoBytes) + " in " + packs + " packs");
            Out.line(String.format("Deduplication:      %.2fx", ratio(original, v[2])));
            Out.line(String.format("Compression:        %.2fx", ratio(v[2], v[3])));
            Out.line(String.format("Overall:            %.2fx", ratio(original, repoBytes)));
        }
        return 0;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : Math.round(100.0 * a / b) / 100.0;
    }
}
