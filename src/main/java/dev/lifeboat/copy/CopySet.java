package dev.lifeboat.copy;

import dev.lifeboat.repository.Snapshot;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A set of repositories declared to be copies of each other (the YAML file of "copies check"),
 * and the 3-2-1 evaluation of which snapshots they hold: for the newest snapshot of each
 * (host, paths) group, at least 3 copies (the live data counts as one when live_source is set),
 * on at least 2 media kinds (only the repositories' media count, not the live data), and at
 * least 1 copy offsite. Snapshots are matched across repositories as {@link Copier} does
 * ({@link Copies.Key}: time, host, paths and tree).
 */
public record CopySet(boolean liveSource, List<Member> repositories) {
    public static final int MIN_COPIES = 3;
    public static final int MIN_MEDIA = 2;
    public static final int MIN_OFFSITE = 1;

    /** One repository of the set. Exactly one of passwordFile and passwordEnv is set. */
    public record Member(String location, String media, boolean offsite, Path passwordFile, String passwordEnv) {
    }

    private static final Set<String> TOP_KEYS = Set.of("live_source", "repositories");
    private static final Set<String> REPO_KEYS = Set.of("location", "media", "offsite", "password_file", "password_env");

    /**
     * Parses the YAML text of file; a relative password_file is resolved against the file's directory.
     * Every problem is an IllegalArgumentException with a one-line message naming file.
     */
    public static CopySet parse(String yaml, Path file) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (MarkedYAMLException e) {
            String where = e.getProblemMark() != null ? " at line " + (e.getProblemMark().getLine() + 1) : "";
            throw bad(file, "invalid YAML" + where + ": " + firstLine(e.getProblem()));
        } catch (YAMLException e) {
            throw bad(file, "invalid YAML: " + firstLine(e.getMessage()));
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw bad(file, "expected a mapping with \"repositories\"");
        }
        for (Object k : top.keySet()) {
            if (!TOP_KEYS.contains(String.valueOf(k))) {
                throw bad(file, "unknown key \"" + k + "\" (expected live_source, repositories)");
            }
        }
        boolean live = bool(top, "live_source", true, file, "");
        Object repos = top.get("repositories");
        if (!(repos instanceof List<?> list) || list.isEmpty()) {
            throw bad(file, "\"repositories\" must be a non-empty list");
        }
        Path dir = file.toAbsolutePath().getParent();
        List<Member> members = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String ctx = "repositories[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw bad(file, ctx + " must be a mapping");
            }
            for (Object k : m.keySet()) {
                if (!REPO_KEYS.contains(String.valueOf(k))) {
                    throw bad(file, ctx + ": unknown key \"" + k + "\" (expected " + String.join(", ",
                            List.of("location", "media", "offsite", "password_file", "password_env")) + ")");
                }
            }
            String location = string(m, "location", file, ctx);
            String media = string(m, "media", file, ctx);
            boolean offsite = bool(m, "offsite", false, file, ctx + ": ");
            String pwFile = m.containsKey("password_file") ? string(m, "password_file", file, ctx) : null;
            String pwEnv = m.containsKey("password_env") ? string(m, "password_env", file, ctx) : null;
            if ((pwFile == null) == (pwEnv == null)) {
                throw bad(file, ctx + " (" + location + "): give exactly one of password_file, password_env");
            }
            if (!seen.add(location)) {
                throw bad(file, ctx + ": repository " + location + " is listed twice");
            }
            Path pw = pwFile == null ? null : (dir == null ? Path.of(pwFile) : dir.resolve(pwFile));
            members.add(new Member(location, media, offsite, pw, pwEnv));
        }
        return new CopySet(live, List.copyOf(members));
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.strip().lines().findFirst().orElse("");
    }

    private static IllegalArgumentException bad(Path file, String msg) {
        return new IllegalArgumentException(file + ": " + msg);
    }

    private static String string(Map<?, ?> m, String key, Path file, String ctx) {
        Object v = m.get(key);
        if (v == null) {
            throw bad(file, ctx + ": missing \"" + key + "\"");
        }
        if (v instanceof Map || v instanceof List || String.valueOf(v).isBlank()) {
            throw bad(file, ctx + ": \"" + key + "\" must be a non-empty string");
        }
        return String.valueOf(v).strip();
    }

    private static boolean bool(Map<?, ?> m, String key, boolean dflt, Path file, String ctx) {
        if (!m.containsKey(key) || m.get(key) == null) {
            return dflt;
        }
        if (m.get(key) instanceof Boolean b) {
            return b;
        }
        throw bad(file, ctx + "\"" + key + "\" must be true or false");
    }

    /**
     * Evaluates the set, given the snapshots of each repository (in the order of {@link #repositories()}).
     * The repositories must already be checked to be copies of each other.
     */
    public CopySetReport evaluate(List<List<Snapshot>> snapshots) {
        if (snapshots.size() != repositories.size()) {
            throw new IllegalArgumentException("one snapshot list per repository expected");
        }
        // every distinct snapshot, matched across repositories, with the repositories holding it
        Map<Copies.Key, boolean[]> present = new LinkedHashMap<>();
        for (int r = 0; r < snapshots.size(); r++) {
            for (Snapshot s : snapshots.get(r)) {
                present.computeIfAbsent(Copies.Key.of(s), k -> new boolean[repositories.size()])[r] = true;
            }
        }
        Comparator<Copies.Key> order = Comparator.comparing(Copies.Key::time)
                .thenComparing(Copies.Key::hostname, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(k -> String.join("\u0000", k.paths()))
                .thenComparing(Copies.Key::tree, Comparator.nullsFirst(Comparator.naturalOrder()));
        List<Copies.Key> keys = new ArrayList<>(present.keySet());
        keys.sort(order);
        List<CopySetReport.Row> rows = new ArrayList<>();
        for (Copies.Key k : keys) {
            rows.add(new CopySetReport.Row(k, toList(present.get(k))));
        }
        // newest snapshot of each (host, paths) group
        Map<String, Copies.Key> newest = new TreeMap<>();
        for (Copies.Key k : keys) {
            newest.put((k.hostname() == null ? "" : k.hostname()) + "\u0000" + String.join("\u0000", k.paths()), k);
        }
        List<CopySetReport.Group> groups = new ArrayList<>();
        for (Copies.Key k : newest.values()) {
            boolean[] p = present.get(k);
            List<String> holders = new ArrayList<>();
            Set<String> media = new LinkedHashSet<>();
            int offsite = 0;
            for (int r = 0; r < p.length; r++) {
                if (p[r]) {
                    Member m = repositories.get(r);
                    holders.add(m.location());
                    media.add(m.media());
                    if (m.offsite()) {
                        offsite++;
                    }
                }
            }
            int copies = holders.size() + (liveSource ? 1 : 0);
            String copiesDetail = copies + " (" + (liveSource ? "live data + " : "") + holders.size() + " repositor"
                    + (holders.size() == 1 ? "y" : "ies") + ")";
            List<CopySetReport.Rule> rules = List.of(
                    new CopySetReport.Rule("copies", "at least " + MIN_COPIES + " copies", copies >= MIN_COPIES, copiesDetail),
                    new CopySetReport.Rule("media", "at least " + MIN_MEDIA + " media kinds", media.size() >= MIN_MEDIA,
                            media.size() + (media.isEmpty() ? "" : " (" + String.join(", ", media) + ")")),
                    new CopySetReport.Rule("offsite", "at least " + MIN_OFFSITE + " offsite copy", offsite >= MIN_OFFSITE,
                            String.valueOf(offsite)));
            groups.add(new CopySetReport.Group(k, copies, List.copyOf(media), offsite, List.copyOf(holders), rules));
        }
        return new CopySetReport(this, rows, groups);
    }

    private static List<Boolean> toList(boolean[] b) {
        List<Boolean> l = new ArrayList<>(b.length);
        for (boolean x : b) {
            l.add(x);
        }
        return List.copyOf(l);
    }
}
