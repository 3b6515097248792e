package dev.lifeboat.retention;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a group's snapshots have in common. A component is {@code null} when snapshots are not
 * grouped by it. Paths and tags are sorted so that their order in a snapshot does not matter.
 */
public record GroupKey(String host, List<String> paths, List<String> tags) implements Comparable<GroupKey> {

    private static final Comparator<List<String>> LISTS = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    // Gives decide() a stable group order whatever the input order.
    private static final Comparator<GroupKey> ORDER = Comparator
            .comparing(GroupKey::host, Comparator.nullsFirst(Comparator.<String>naturalOrder()))
            .thenComparing(GroupKey::paths, Comparator.nullsFirst(LISTS))
            .thenComparing(GroupKey::tags, Comparator.nullsFirst(LISTS));

    public GroupKey {
        paths = paths == null ? null : List.copyOf(paths);
        tags = tags == null ? null : List.copyOf(tags);
    }

    @Override
    public int compareTo(GroupKey other) {
        return ORDER.compare(this, other);
    }

    /** For users, e.g. {@code host db1, paths [/var/lib/pg]}; {@code all snapshots} when ungrouped. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (host != null) {
            parts.add("host " + host);
        }
        if (paths != null) {
            parts.add("paths " + paths);
        }
        if (tags != null) {
            parts.add("tags " + tags);
        }
        return parts.isEmpty() ? "all snapshots" : String.join(", ", parts);
    }
}
