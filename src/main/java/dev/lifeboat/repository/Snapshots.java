package dev.lifeboat.repository;

import dev.lifeboat.storage.ObjectInfo;
import dev.lifeboat.util.Json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reading, finding and writing snapshot objects. */
public final class Snapshots {
    private Snapshots() {
    }

    public static List<SnapshotRef> all(Repository repo) throws IOException {
        List<SnapshotRef> out = new ArrayList<>();
        for (ObjectInfo info : repo.list(Repository.SNAPSHOTS)) {
            out.add(load(repo, info.name()));
        }
        out.sort(Comparator.comparing((SnapshotRef r) -> r.snapshot().time()).thenComparing(SnapshotRef::id));
        return out;
    }

    public static SnapshotRef load(Repository repo, String name) throws IOException {
        try {
            return new SnapshotRef(Repository.idOfName(name), Json.read(repo.loadObject(name), Snapshot.class));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new CorruptObjectException(name, "is not a valid snapshot");
        }
    }

    public static BlobId save(Repository repo, Snapshot s) throws IOException {
        return repo.saveObject(Repository.SNAPSHOTS, Json.write(s));
    }

    /** Resolves "latest" or an id prefix; fails clearly when nothing or several match. */
    public static SnapshotRef find(Repository repo, String spec) throws IOException {
        if (spec.equals("latest")) {
            List<SnapshotRef> all = all(repo);
            if (all.isEmpty()) {
                throw new RepositoryException("the repository has no snapshots");
            }
            return all.get(all.size() - 1);
        }
        if (!spec.matches("[0-9a-fA-F]{1,64}")) {
            throw new RepositoryException("invalid snapshot id \"" + spec + "\": expected a hex id prefix or \"latest\"");
        }
        String prefix = spec.toLowerCase();
        List<ObjectInfo> matches = new ArrayList<>();
        for (ObjectInfo info : repo.list(Repository.SNAPSHOTS)) {
            if (info.name().substring(Repository.SNAPSHOTS.length()).startsWith(prefix)) {
                matches.add(info);
            }
        }
        if (matches.isEmpty()) {
            throw new RepositoryException("no snapshot with id " + spec);
        }
        if (matches.size() > 1) {
            throw new RepositoryException("snapshot id prefix " + spec + " is ambiguous (" + matches.size() + " snapshots match)");
        }
        return load(repo, matches.get(0).name());
    }

    public static void delete(Repository repo, BlobId id) throws IOException {
        repo.storage().delete(Repository.SNAPSHOTS + id.hex());
    }
}
