package dev.lifeboat.source.files;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Exclude rules. A pattern without '/' is a glob matched against each entry's name ("*.log",
 * "node_modules"); a pattern with '/' is a glob matched against the whole absolute path
 * ("/home/*&#47;.cache"). A directory holding one of the marker files is skipped entirely.
 */
public final class Excludes {
    private final List<String> patterns;
    private final List<PathMatcher> nameMatchers = new ArrayList<>();
    private final List<PathMatcher> pathMatchers = new ArrayList<>();
    private final List<String> markers;

    public Excludes(List<String> patterns, List<String> markers) {
        this.patterns = List.copyOf(patterns);
        this.markers = List.copyOf(markers);
        for (String p : patterns) {
            String glob = p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p;
            try {
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
                (glob.contains("/") ? pathMatchers : nameMatchers).add(m);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException("invalid exclude pattern \"" + p + "\": " + e.getDescription());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("invalid exclude pattern \"" + p + "\"");
            }
        }
    }

    public static Excludes none() {
        return new Excludes(List.of(), List.of());
    }

    /** Reads patterns from a file, one a line; blank lines and lines starting with # are ignored. */
    public static List<String> readPatternFile(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                out.add(t);
            }
        }
        return out;
    }

    public List<String> patterns() {
        return patterns;
    }

    public boolean excluded(Path absolute) {
        Path name = absolute.getFileName();
        if (name != null) {
            for (PathMatcher m : nameMatchers) {
                if (m.matches(name)) {
                    return true;
                }
            }
        }
        for (PathMatcher m : pathMatchers) {
            if (m.matches(absolute)) {
                return true;
            }
        }
        return false;
    }

    /** True when a directory carries a marker file that asks for it to be skipped. */
    public boolean hasMarker(Path dir, List<String> names) {
        for (String marker : markers) {
            if (names.contains(marker)) {
                return true;
            }
        }
        return false;
    }
}
