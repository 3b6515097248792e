package dev.lifeboat.cli;

import dev.lifeboat.repository.Repository;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where remote repositories keep their local metadata cache: one directory per location under
 * LIFEBOAT_CACHE_DIR, else $XDG_CACHE_HOME/lifeboat, else ~/.cache/lifeboat. LIFEBOAT_CACHE_DIR=off
 * turns the cache off. The cache holds encrypted objects only, checked against their names on
 * every read, and may be deleted at any time.
 */
final class MetadataCache {
    static final String ENV = "LIFEBOAT_CACHE_DIR";
    /** Same as the environment variable; lets tests that run the CLI in-process choose a directory. */
    static final String PROPERTY = "lifeboat.cache.dir";

    private MetadataCache() {
    }

    static Optional<Path> dirFor(String location) {
        return root().map(r -> r.resolve(Repository.sha256Hex(location.getBytes(StandardCharsets.UTF_8)).substring(0, 32)));
    }

    static Optional<Path> root() {
        String configured = firstNonBlank(System.getProperty(PROPERTY), System.getenv(ENV));
        if (configured != null) {
            return configured.equalsIgnoreCase("off") ? Optional.empty() : Optional.of(Path.of(configured));
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Optional.of(Path.of(xdg, "lifeboat"));
        }
        String home = System.getProperty("user.home");
        return home == null || home.isBlank() ? Optional.empty() : Optional.of(Path.of(home, ".cache", "lifeboat"));
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
