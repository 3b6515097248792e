package dev.lifeboat.retention;

import java.util.ArrayList;
import java.util.List;

/** Which snapshot properties split snapshots into groups that the policy treats separately. */
public record GroupBy(boolean host, boolean paths, boolean tags) {

    /** restic's default: the same host backing up the same paths forms one history. */
    public static final GroupBy DEFAULT = new GroupBy(true, true, false);
    public static final GroupBy NONE = new GroupBy(false, false, false);

    /** Parses {@code --group-by}: a comma-separated subset of host, paths, tags; empty means one group. */
    public static GroupBy parse(String text) {
        if (text.isEmpty()) {
            return NONE;
        }
        boolean host = false;
        boolean paths = false;
        boolean tags = false;
        for (String item : text.split(",", -1)) {
            switch (item.strip()) {
                case "host" -> host = true;
                case "paths" -> paths = true;
                case "tags" -> tags = true;
                default -> throw new IllegalArgumentException("invalid --group-by \"" + text
                        + "\": expected a comma-separated list of host, paths, tags (or \"\" for one group)");
            }
        }
        return new GroupBy(host, paths, tags);
    }

    public GroupKey keyOf(RetentionSnapshot s) {
        return new GroupKey(
                host ? s.host() : null,
                paths ? s.paths().stream().sorted().toList() : null,
                tags ? s.tags().stream().sorted().toList() : null);
    }

    /** The {@code --group-by} text that parses back to this value. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (host) {
            parts.add("host");
        }
        if (paths) {
            parts.add("paths");
        }
        if (tags) {
            parts.add("tags");
        }
        return String.join(",", parts);
    }
}
