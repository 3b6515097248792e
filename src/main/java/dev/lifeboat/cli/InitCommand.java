package dev.lifeboat.cli;

import dev.lifeboat.chunking.ChunkerParams;
import dev.lifeboat.crypto.Argon2idParams;
import dev.lifeboat.repository.Hosts;
import dev.lifeboat.repository.RepoConfig;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.storage.Storage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "init", mixinStandardHelpOptions = true, description = "Create a new repository.")
final class InitCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;

    @Option(names = "--chunker-min", defaultValue = "512K", description = "Smallest chunk (default: ${DEFAULT-VALUE}).")
    String min;
    @Option(names = "--chunker-avg", defaultValue = "1M", description = "Average chunk, a power of two (default: ${DEFAULT-VALUE}).")
    String avg;
    @Option(names = "--chunker-max", defaultValue = "8M", description = "Largest chunk (default: ${DEFAULT-VALUE}).")
    String max;
    @Option(names = "--compression", defaultValue = "3", description = "zstd level 1-19 (default: ${DEFAULT-VALUE}).")
    int level;
    @Option(names = "--pack-size", defaultValue = "16M", description = "Target pack file size (default: ${DEFAULT-VALUE}).")
    String packSize;
    @Option(names = "--kdf", paramLabel = "m=KiB,t=N,p=N", description = "Argon2id parameters (default: m=65536,t=3,p=1).")
    String kdf;
    @Option(names = "--copy-of", paramLabel = "REPO",
            description = "Make a copy of REPO: share its chunker and blob ids (the chunker, compression and pack-size options are then taken from REPO), with an own key and passphrase.")
    String copyOf;
    @Option(names = "--from-password-file", paramLabel = "FILE",
            description = "Passphrase of the --copy-of repository (default: $LIFEBOAT_FROM_PASSWORD_FILE, $LIFEBOAT_FROM_PASSWORD, else prompt).")
    java.nio.file.Path fromPasswordFile;

    @Override
    public Integer call() throws Exception {
        if (level < 1 || level > 19) {
            throw new IllegalArgumentException("invalid --compression " + level + ": expected 1 to 19");
        }
        ChunkerParams chunker = new ChunkerParams(Sizes.parse(min, "--chunker-min"), Sizes.parse(avg, "--chunker-avg"),
                Sizes.parse(max, "--chunker-max"));
        int pack = Sizes.parse(packSize, "--pack-size");
        Argon2idParams params = kdf == null ? kdfFromEnv() : Argon2idParams.parse(kdf);
        String location = g.repoLocation();
        RepoConfig config;
        if (copyOf != null) {
            try (Repository src = FromRepository.open(copyOf, fromPasswordFile)) {
                config = src.config().copyWithNewId();
            }
        } else {
            config = RepoConfig.create(chunker, level, pack);
        }
        Storage storage = Repos.storageForInit(location);
        char[] pw = passphraseForInit(g);
        try (Repository repo = Repository.init(storage, pw, config, params,
                Hosts.hostname(), Hosts.username())) {
            if (g.json) {
                Out.json(Map.of("repository", location, "id", repo.config().id()));
            } else {
                Out.line("created repository " + repo.config().id().substring(0, 10) + " at " + location
                        + (copyOf != null ? " as a copy of " + copyOf : ""));
                Out.line("Keep the passphrase safe: without it the data cannot be restored.");
            }
        }
        return 0;
    }

    static Argon2idParams kdfFromEnv() {
        String env = System.getenv("LIFEBOAT_KDF");
        if (env == null) {
            env = System.getProperty("lifeboat.kdf");
        }
        return env == null || env.isBlank() ? Argon2idParams.DEFAULT : Argon2idParams.parse(env);
    }

    static char[] passphraseForInit(GlobalOptions g) throws java.io.IOException {
        if (g.passwordFile != null || System.getenv("LIFEBOAT_PASSWORD_FILE") != null
                || System.getenv("LIFEBOAT_PASSWORD") != null) {
            return Passwords.read(g, "New passphrase");
        }
        return Passwords.prompt("New repository passphrase", true);
    }
}
