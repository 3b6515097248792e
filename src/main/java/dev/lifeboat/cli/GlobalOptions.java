package dev.lifeboat.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options every repository command takes; mixed into each command. */
public final class GlobalOptions {
    @Option(names = {"-r", "--repo"}, paramLabel = "REPO",
            description = "Repository location: a directory (default: $LIFEBOAT_REPOSITORY, else ~/.local/share/lifeboat/repository).")
    String repo;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "Read the passphrase from FILE (default: $LIFEBOAT_PASSWORD_FILE, $LIFEBOAT_PASSWORD, else prompt).")
    Path passwordFile;

    @Option(names = "--json", description = "Machine-readable JSON output.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress bars or informational output.")
    boolean quiet;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: number of CPUs).")
    int threads = Runtime.getRuntime().availableProcessors();

    String repoLocation() {
        if (repo != null && !repo.isBlank()) {
            return repo;
        }
        String env = System.getenv("LIFEBOAT_REPOSITORY");
        if (env != null && !env.isBlank()) {
            return env;
        }
        return Path.of(System.getProperty("user.home"), ".local", "share", "lifeboat", "repository").toString();
    }
}
