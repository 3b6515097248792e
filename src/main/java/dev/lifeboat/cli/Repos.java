package dev.lifeboat.cli;

import dev.lifeboat.repository.ExitCodes;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryException;
import dev.lifeboat.storage.Storage;
import dev.lifeboat.storage.local.LocalStorage;
import dev.lifeboat.storage.s3.S3Location;
import dev.lifeboat.storage.s3.S3Storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns a repository location into storage, and opens repositories for commands. */
final class Repos {
    private Repos() {
    }

    static Storage storage(String location) throws IOException {
        if (S3Location.isS3(location)) {
            // credentials, region, path style and storage class come from the environment (see S3Options)
            return S3Storage.open(location);
        }
        String path = location.startsWith("local:") ? location.substring("local:".length()) : location;
        return new LocalStorage(Path.of(path));
    }

    static Repository open(GlobalOptions g) throws IOException {
        String location = g.repoLocation();
        Storage storage = storage(location);
        try {
            if (storage instanceof LocalStorage local && !Files.isDirectory(local.root())) {
                throw new RepositoryException("no repository at " + location + " (run \"lifeboat init\" to create one)",
                        ExitCodes.NO_REPOSITORY);
            }
            if (storage.size(Repository.CONFIG) < 0) {
                throw new RepositoryException(location + " is not a Lifeboat repository (no config)", ExitCodes.NO_REPOSITORY);
            }
            return Repository.open(storage, Passwords.read(g, "Repository passphrase"));
        } catch (IOException | RuntimeException e) {
            try {
                storage.close(); // S3 storage holds an HTTP client and a staging directory
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
