package dev.lifeboat.cli;

import dev.lifeboat.copy.Copier;
import dev.lifeboat.copy.Copies;
import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
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

@Command(name = "copy", mixinStandardHelpOptions = true,
        description = {"Copy snapshots from another repository into this one (a copy made with \"init --copy-of\").",
                "Only snapshots and blobs this repository lacks are transferred."})
final class CopyCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Parameters(paramLabel = "SNAPSHOT", arity = "0..*", description = "Snapshot id prefixes or \"latest\" in the source (default: all).")
    List<String> snapshots = new ArrayList<>();
    @Option(names = "--from", required = true, paramLabel = "REPO", description = "Source repository.")
    String from;
    @Option(names = "--from-password-file", paramLabel = "FILE",
            description = "Passphrase of the source (default: $LIFEBOAT_FROM_PASSWORD_FILE, $LIFEBOAT_FROM_PASSWORD, else prompt).")
    Path fromPasswordFile;

    @Override
    public Integer call() throws Exception {
        try (Repository src = FromRepository.open(from, fromPasswordFile); Repository dst = Repos.openAndPreload(g)) {
            Copies.requireCopy(dst, g.repoLocation(), src, from); // before anything is written
            Copier.Result r;
            try (Locks.Held srcLock = Locks.acquire(src, false, "copy (source)");
                 Locks.Held dstLock = Locks.acquire(dst, false, "copy")) {
                List<SnapshotRef> selected;
                if (snapshots.isEmpty()) {
                    selected = Snapshots.all(src);
                } else {
                    selected = new ArrayList<>();
                    for (String s : snapshots) {
                        selected.add(Snapshots.find(src, s));
                    }
                }
                r = new Copier(src, dst).run(selected);
            }
            if (g.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("snapshots_copied", r.copied().size());
                m.put("snapshots_skipped", r.skipped());
                m.put("blobs_copied", r.blobsCopied());
                m.put("bytes_copied", r.bytesCopied());
                m.put("bytes_stored", r.bytesStored());
                m.put("snapshots", r.copied());
                Out.json(m);
            } else if (!g.quiet) {
                Out.line(String.format("copied %d snapshot(s) (%d already present): %d blob(s), %s", r.copied().size(),
                        r.skipped(), r.blobsCopied(), Sizes.human(r.bytesCopied())));
            }
        }
        return 0;
    }
}
