package dev.lifeboat.copy;

import dev.lifeboat.repository.RepoConfig;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryException;
import dev.lifeboat.repository.Snapshot;

import java.util.List;
import java.util.Objects;

/** What makes two repositories copies of each other, and when two snapshots are the same backup. */
public final class Copies {
    private Copies() {
    }

    /** True when both share chunker sizes, chunker seed and id key, so their blob ids agree. */
    public static boolean sameBlobIds(RepoConfig a, RepoConfig b) {
        return a.chunkerMin() == b.chunkerMin() && a.chunkerAvg() == b.chunkerAvg() && a.chunkerMax() == b.chunkerMax()
                && a.chunkerSeed().equalsIgnoreCase(b.chunkerSeed()) && a.idKey().equalsIgnoreCase(b.idKey());
    }

    public static void requireCopy(Repository repo, String repoLocation, Repository other, String otherLocation)
            throws RepositoryException {
        if (!sameBlobIds(repo.config(), other.config())) {
            throw new RepositoryException(repoLocation + " is not a copy of " + otherLocation
                    + " (different chunker parameters or id key; create copies with \"lifeboat init --copy-of\")");
        }
    }

    /** Snapshot ids differ between copies (each is sealed with its own key); these fields do not. */
    public record Key(java.time.Instant time, String hostname, List<String> paths, String tree) {
        public static Key of(Snapshot s) {
            return new Key(s.time(), s.hostname(), s.paths() == null ? List.of() : List.copyOf(s.paths()), s.tree());
        }
    }

    static boolean same(Snapshot a, Snapshot b) {
        return Objects.equals(Key.of(a), Key.of(b));
    }
}
