package dev.lifeboat.cli;

import dev.lifeboat.repository.ExitCodes;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryException;

import java.io.Console;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens the second repository of copy, repair and init --copy-of. Its passphrase comes, in order,
 * from --from-password-file, $LIFEBOAT_FROM_PASSWORD_FILE, $LIFEBOAT_FROM_PASSWORD, else a prompt.
 */
final class FromRepository {
    private FromRepository() {
    }

    static char[] passphrase(String location, Path file) throws IOException {
        if (file != null) {
            return Passwords.fromFile(file);
        }
        String envFile = System.getenv("LIFEBOAT_FROM_PASSWORD_FILE");
        if (envFile != null && !envFile.isEmpty()) {
            return Passwords.fromFile(Path.of(envFile));
        }
        String env = System.getenv("LIFEBOAT_FROM_PASSWORD");
        if (env != null && !env.isEmpty()) {
            return env.toCharArray();
        }
        Console c = System.console();
        if (c == null) {
            throw new RepositoryException("no passphrase for " + location + ": set LIFEBOAT_FROM_PASSWORD or "
                    + "LIFEBOAT_FROM_PASSWORD_FILE, or use --from-password-file", ExitCodes.USAGE);
        }
        return Passwords.prompt("Passphrase of " + location, false);
    }

    static Repository open(String location, Path passwordFile) throws IOException {
        return open(location, passwordFile, null);
    }

    /** Opens location with passphrase, or with the --from passphrase when passphrase is null. */
    static Repository open(String location, Path passwordFile, char[] passphrase) throws IOException {
        return Repos.open(location, () -> passphrase != null ? passphrase : passphrase(location, passwordFile));
    }

    /** As {@link #open(String, Path, char[])}, without the metadata cache: for repair, which must see the repository itself. */
    static Repository openUncached(String location, char[] passphrase) throws IOException {
        return Repos.open(location, () -> passphrase, false);
    }
}
