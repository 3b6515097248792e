package dev.lifeboat.cli;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "snapshots", mixinStandardHelpOptions = true, description = "List snapshots.")
final class SnapshotsCommand implements Callable<Integer> {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Mixin
    GlobalOptions g;
    @Option(names = "--host", description = "Only snapshots of this host.")
    String host;
    @Option(names = "--tag", description = "Only snapshots with this tag.")
    String tag;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = Repos.open(g)) {
            List<SnapshotRef> list = new ArrayList<>();
            for (SnapshotRef r : Snapshots.all(repo)) {
                Snapshot s = r.snapshot();
                if ((host == null || host.equals(s.hostname())) && (tag == null || (s.tags() != null && s.tags().contains(tag)))) {
                    list.add(r);
                }
            }
            if (g.json) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (SnapshotRef r : list) {
                    out.add(toJson(r));
                }
                Out.json(out);
                return 0;
            }
            Out.line(String.format("%-8s  %-19s  %-16s  %-20s  %-10s  %s", "ID", "Time", "Host", "Tags", "Size", "Paths"));
            for (SnapshotRef r : list) {
                Snapshot s = r.snapshot();
                Out.line(String.format("%-8s  %-19s  %-16s  %-20s  %-10s  %s", r.shortId(), TIME.format(s.time()), s.hostname(),
                        s.tags() == null ? "" : String.join(",", s.tags()),
                        s.summary() == null ? "" : Sizes.human(s.summary().totalBytes()), String.join(", ", s.paths())));
            }
            Out.line(list.size() + " snapshots");
        }
        return 0;
    }

    static Map<String, Object> toJson(SnapshotRef r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id().hex());
        m.put("short_id", r.shortId());
        Snapshot s = r.snapshot();
        m.put("time", s.time().toString());
        m.put("hostname", s.hostname());
        m.put("username", s.username());
        m.put("paths", s.paths());
        m.put("tags", s.tags() == null ? List.of() : s.tags());
        m.put("kind", s.kind());
        m.put("tree", s.tree());
        if (s.parent() != null) {
            m.put("parent", s.parent());
        }
        m.put("summary", s.summary());
        if (s.meta() != null) {
            m.put("meta", s.meta());
        }
        return m;
    }
}
