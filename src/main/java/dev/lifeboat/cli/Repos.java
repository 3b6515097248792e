package dev.lifeboat.cli;

import dev.lifeboat.repository.ExitCodes;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryException;
import dev.lifeboat.storage.CachingStorage;
import dev.lifeboat.storage.RetryingStorage;
import dev.lifeboat.storage.Storage;
import dev.lifeboat.storage.local.LocalStorage;
import dev.lifeboat.storage.s3.S3Location;
import dev.lifeboat.storage.s3.S3Storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/** Turns a repository location into storage, and opens repositories for commands. */
final class Repos {
    private Repos() {
    }

    /**
     * The seam for fault-injection tests: applied to every backend right after it is created, below
     * the retry layer (tests install a fault-injecting wrapper; see the test class dev.lifeboat.cli.StorageHook).
     * Identity in production.
     */
    static volatile Function<Storage, Storage> wrapper = Function.identity();

    /** Retry policy of the layer every CLI repository gets; tests may shorten the delays. */
    static volatile RetryingStorage.Policy retryPolicy = RetryingStorage.Policy.DEFAULT;

    /** Storage for a location: the backend wrapped in the retry layer. */
    static Storage storage(String location) throws IOException {
        return wrap(backend(location));
    }

    /** Storage for a new repository: a local directory is created (it must be empty or absent). */
    static Storage storageForInit(String location) throws IOException {
        Storage backend = backend(location);
        if (backend instanceof LocalStorage local) {
            return wrap(LocalStorage.create(local.root()));
        }
        return cached(wrap(backend));
    }

    /** A remote repository's metadata goes through a local cache (see {@link MetadataCache}); a local one needs none. */
    private static Storage cached(Storage remote) {
        return MetadataCache.dirFor(remote.location()).<Storage>map(dir -> new CachingStorage(remote, dir)).orElse(remote);
    }

    /** The bare backend for a location, without retries. */
    static Storage backend(String location) {
        if (S3Location.isS3(location)) {
            // credentials, region, path style and storage class come from the environment (see S3Options)
            return S3Storage.open(location);
        }
        String path = location.startsWith("local:") ? location.substring("local:".length()) : location;
        return new LocalStorage(Path.of(path));
    }

    static Storage wrap(Storage backend) {
        return new RetryingStorage(wrapper.apply(backend), retryPolicy);
    }

    static Repository open(GlobalOptions g) throws IOException {
        return open(g.repoLocation(), () -> Passwords.read(g, "Repository passphrase"));
    }

    /**
     * Opens the repository and starts reading its cached index ahead (see {@link Repository#preloadIndex}):
     * for the commands that load the whole index next.
     */
    static Repository openAndPreload(GlobalOptions g) throws IOException {
        return open(g).preloadIndex();
    }

    /** For check and repair, which must see what the repository holds, not a local copy of it. */
    static Repository openUncached(GlobalOptions g) throws IOException {
        return open(g.repoLocation(), () -> Passwords.read(g, "Repository passphrase"), false);
    }

    /** Where a passphrase comes from; asked only once the location proved to hold a repository. */
    interface PassphraseSource {
        char[] get() throws IOException;
    }

    static Repository open(String location, PassphraseSource passphrase) throws IOException {
        return open(location, passphrase, true);
    }

    /** Opens the repository at location, failing with one clear line when there is none. */
    static Repository open(String location, PassphraseSource passphrase, boolean useCache) throws IOException {
        Storage backend = backend(location);
        if (backend instanceof LocalStorage local && !Files.isDirectory(local.root())) {
            throw new RepositoryException("no repository at " + location + " (run \"lifeboat init\" to create one)",
                    ExitCodes.NO_REPOSITORY);
        }
        Storage storage = wrap(backend);
        if (useCache && !(backend instanceof LocalStorage)) {
            storage = cached(storage);
        }
        try {
            // Asked before the passphrase, so that a wrong location is not answered with a prompt; with
            // key files cached, Repository.open asks it while the passphrase's key is derived instead.
            if (!(storage instanceof CachingStorage c && !c.cachedNames(Repository.KEYS).isEmpty())
                    && storage.size(Repository.CONFIG) < 0) {
                throw new RepositoryException(location + " is not a Lifeboat repository (no config)", ExitCodes.NO_REPOSITORY);
            }
            return Repository.open(storage, passphrase.get());
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
