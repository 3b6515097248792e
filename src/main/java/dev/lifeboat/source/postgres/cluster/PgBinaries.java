package dev.lifeboat.source.postgres.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The bin directory of one PostgreSQL installation, with its version.
 *
 * <p>Search order: the directory given by the caller, {@code $LIFEBOAT_PG_BIN}, the usual
 * per-major install locations (Debian, PGDG RPM, Homebrew, source builds), then {@code PATH}.
 */
public final class PgBinaries {

    public static final String ENV = "LIFEBOAT_PG_BIN";

    /** Tools only shipped with the server package; used to suggest the right package to install. */
    private static final Set<String> SERVER_TOOLS = Set.of(
            "initdb", "pg_ctl", "postgres", "postmaster", "pg_controldata", "pg_resetwal",
            "pg_rewind", "pg_upgrade", "pg_checksums", "pg_archivecleanup");

    /** Any of these answers {@code --version}; client-only installs lack the first two. */
    private static final List<String> PROBES = List.of(
            "pg_ctl", "postgres", "pg_dump", "psql", "pg_restore", "pg_basebackup");

    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?\\S*");

    /** Spawning {@code --version} for every lookup would add up in test suites; installs don't change under us. */
    private static final Map<Path, Optional<PgBinaries>> PROBED = new ConcurrentHashMap<>();

    private final Path binDir;
    private final int major;
    private final String version;

    private PgBinaries(Path binDir, int major, String version) {
        this.binDir = binDir;
        this.major = major;
        this.version = version;
    }

    public Path binDir() {
        return binDir;
    }

    /** 15 for "15.13"; 9 for the pre-10 "9.6" line, which Lifeboat does not support anyway. */
    public int major() {
        return major;
    }

    /** The full version string, e.g. "15.13". */
    public String version() {
        return version;
    }

    public boolean has(String tool) {
        return isExecutable(binDir.resolve(tool));
    }

    /**
     * The path of a tool of this major version. Client-only installs lack server tools, so a tool
     * missing here is looked for in the other installations of the same major.
     */
    public Path tool(String name) {
        if (has(name)) {
            return binDir.resolve(name);
        }
        Optional<Path> configured = Optional.of(binDir);
        for (PgBinaries other : discover(configured, OptionalInt.of(major))) {
            if (other.major == major && other.has(name)) {
                return other.binDir.resolve(name);
            }
        }
        throw new PgNotFoundException(name + " for PostgreSQL " + major + " not found (searched "
                + String.join(", ", searchedFor(configured, major)) + "); install "
                + packageFor(name, major) + " or set " + ENV);
    }

    /** All installations found, in search order, without duplicates. */
    public static List<PgBinaries> discover() {
        return discover(Optional.empty());
    }

    public static List<PgBinaries> discover(Optional<Path> configured) {
        return discover(configured, OptionalInt.empty());
    }

    /**
     * The first installation of {@code major} in search order. Directories after it are not probed:
     * on Debian the PATH holds pg_wrapper, a Perl script that takes a tenth of a second to answer.
     */
    public static PgBinaries forMajor(int major, Optional<Path> configured) {
        for (Path dir : searchDirs(configured, OptionalInt.of(major))) {
            Optional<PgBinaries> b = probe(dir);
            if (b.isPresent() && b.get().major == major) {
                return b.get();
            }
        }
        List<PgBinaries> found = discover(configured, OptionalInt.of(major));
        return found.stream().filter(b -> b.major == major).findFirst().orElseThrow(() -> {
            String others = found.stream().map(b -> String.valueOf(b.major)).distinct()
                    .collect(Collectors.joining(", "));
            return new PgNotFoundException("PostgreSQL " + major + " not found (searched "
                    + String.join(", ", searchedFor(configured, major)) + ")"
                    + (others.isEmpty() ? "" : "; found only " + others)
                    + "; install postgresql-" + major + " or set " + ENV);
        });
    }

    /** The highest major installed; an explicitly configured directory wins regardless of version. */
    public static PgBinaries newest(Optional<Path> configured) {
        if (configured.isPresent()) {
            return at(configured.get());
        }
        Optional<Path> env = fromEnv();
        if (env.isPresent()) {
            try {
                return at(env.get());
            } catch (PgNotFoundException e) {
                throw new PgNotFoundException(ENV + " is set, but " + e.getMessage());
            }
        }
        List<PgBinaries> found = discover(configured);
        return found.stream().max(Comparator.comparingInt(PgBinaries::major)).orElseThrow(() ->
                new PgNotFoundException("no PostgreSQL installation found (searched "
                        + String.join(", ", searchedFor(configured, -1))
                        + "); install postgresql or set " + ENV));
    }

    /** The installation in exactly this directory. */
    public static PgBinaries at(Path binDir) {
        return probe(binDir).orElseThrow(() -> new PgNotFoundException(
                "no PostgreSQL tools with a readable version in " + binDir + " (looked for "
                        + String.join(", ", PROBES) + ")"));
    }

    private static List<PgBinaries> discover(Optional<Path> configured, OptionalInt major) {
        List<PgBinaries> found = new ArrayList<>();
        for (Path dir : searchDirs(configured, major)) {
            probe(dir).ifPresent(found::add);
        }
        return found;
    }

    /** The directories to look in, in order, each once: /bin and /usr/bin are one directory on most systems now. */
    private static List<Path> searchDirs(Optional<Path> configured, OptionalInt major) {
        Set<Path> dirs = new LinkedHashSet<>();
        configured.ifPresent(dirs::add);
        fromEnv().ifPresent(dirs::add);
        if (major.isPresent()) {
            dirs.addAll(installDirs(major.getAsInt()));
        } else {
            dirs.addAll(allInstallDirs());
        }
        dirs.add(Path.of("/usr/local/pgsql/bin"));
        dirs.addAll(pathDirs());
        List<Path> out = new ArrayList<>();
        Set<Path> seen = new java.util.HashSet<>();
        for (Path dir : dirs) {
            if (Files.isDirectory(dir) && seen.add(realPath(dir))) {
                out.add(dir);
            }
        }
        return out;
    }

    private static List<Path> installDirs(int major) {
        return List.of(
                Path.of("/usr/lib/postgresql/" + major + "/bin"),
                Path.of("/usr/pgsql-" + major + "/bin"),
                Path.of("/opt/homebrew/opt/postgresql@" + major + "/bin"),
                Path.of("/usr/local/opt/postgresql@" + major + "/bin"));
    }

    /** Every versioned install directory present, newest major first. */
    private static List<Path> allInstallDirs() {
        List<Integer> majors = new ArrayList<>();
        collectMajors(Path.of("/usr/lib/postgresql"), "", majors);
        collectMajors(Path.of("/usr"), "pgsql-", majors);
        collectMajors(Path.of("/opt/homebrew/opt"), "postgresql@", majors);
        collectMajors(Path.of("/usr/local/opt"), "postgresql@", majors);
        return majors.stream().distinct().sorted(Comparator.reverseOrder())
                .flatMap(m -> installDirs(m).stream()).collect(Collectors.toList());
    }

    private static void collectMajors(Path parent, String prefix, List<Integer> into) {
        if (!Files.isDirectory(parent)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, prefix + "*")) {
            for (Path e : entries) {
                String rest = e.getFileName().toString().substring(prefix.length());
                if (rest.matches("\\d+")) {
                    into.add(Integer.parseInt(rest));
                }
            }
        } catch (IOException ignored) {
            // an unreadable location simply holds no installation we can use
        }
    }

    private static List<Path> pathDirs() {
        String path = System.getenv("PATH");
        if (path == null) {
            return List.of();
        }
        List<Path> dirs = new ArrayList<>();
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                Path dir = Path.of(entry);
                PROBES.stream().map(dir::resolve).filter(PgBinaries::isExecutable).findFirst()
                        .ifPresent(tool -> dirs.add(installDirOf(tool)));
            }
        }
        return dirs;
    }

    /**
     * /usr/local/bin/pg_ctl or Homebrew's bin/pg_ctl is often a symlink into the real bin
     * directory, which has all the other tools. Debian's pg_wrapper symlinks are not: there the
     * PATH directory itself is the answer.
     */
    private static Path installDirOf(Path tool) {
        Path real = realPath(tool);
        return real.getFileName().equals(tool.getFileName()) ? real.getParent() : tool.getParent();
    }

    private static List<String> searchedFor(Optional<Path> configured, int major) {
        List<String> places = new ArrayList<>();
        configured.ifPresent(p -> places.add(describe(p)));
        fromEnv().ifPresent(p -> places.add(ENV + "=" + describe(p)));
        if (major > 0) {
            installDirs(major).stream().filter(p -> !configured.equals(Optional.of(p)))
                    .forEach(p -> places.add(p.toString()));
        } else {
            places.add("/usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, /opt/homebrew/opt/postgresql@*/bin, "
                    + "/usr/local/opt/postgresql@*/bin");
        }
        places.add("/usr/local/pgsql/bin");
        places.add("PATH");
        return places;
    }

    private static String describe(Path dir) {
        return probe(dir).map(b -> dir + " (PostgreSQL " + b.version + ")").orElse(dir.toString());
    }

    private static Optional<Path> fromEnv() {
        String env = System.getenv(ENV);
        return env == null || env.isBlank() ? Optional.empty() : Optional.of(Path.of(env.strip()));
    }

    private static Optional<PgBinaries> probe(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        return PROBED.computeIfAbsent(dir.toAbsolutePath().normalize(), PgBinaries::readVersion);
    }

    private static Optional<PgBinaries> readVersion(Path dir) {
        for (String probe : PROBES) {
            Path tool = dir.resolve(probe);
            if (isExecutable(tool)) {
                Exec.Result r;
                try {
                    r = Exec.run(List.of(tool.toString(), "--version"), null, Duration.ofSeconds(30));
                } catch (ClusterException e) {
                    continue;
                }
                Matcher m = VERSION.matcher(r.output());
                if (r.ok() && m.find()) {
                    String version = m.group(0).replaceFirst("^\\(PostgreSQL\\)\\s+", "");
                    return Optional.of(new PgBinaries(dir, Integer.parseInt(m.group(1)), version));
                }
            }
        }
        return Optional.empty();
    }

    static String packageFor(String tool, int major) {
        return (SERVER_TOOLS.contains(tool) ? "postgresql-" : "postgresql-client-") + major;
    }

    private static boolean isExecutable(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PgBinaries b && b.binDir.equals(binDir) && b.version.equals(version);
    }

    @Override
    public int hashCode() {
        return Objects.hash(binDir, version);
    }

    @Override
    public String toString() {
        return "PostgreSQL " + version + " at " + binDir;
    }
}
