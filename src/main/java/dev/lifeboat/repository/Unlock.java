package dev.lifeboat.repository;

import dev.lifeboat.crypto.AuthenticationException;
import dev.lifeboat.crypto.MasterKey;
import dev.lifeboat.storage.CachingStorage;
import dev.lifeboat.storage.ObjectInfo;
import dev.lifeboat.storage.Storage;

import dev.lifeboat.util.Workers;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * Finds the key file a passphrase opens. With a local cache of the key files, the key derivation
 * (a fifth of a second, by design) runs while the backend is still being reached and
 * listed, instead of after it; a cached key is only accepted once the backend's listing shows that
 * it still exists, so a removed key stays removed.
 */
final class Unlock {
    record Unlocked(MasterKey master, String keyName) {
    }

    private Unlock() {
    }

    static Unlocked withPassphrase(Storage storage, Storage metadata, char[] passphrase) throws IOException {
        Set<String> tried = new HashSet<>();
        if (metadata instanceof CachingStorage cache) {
            List<String> cachedKeys = cache.cachedNames(Repository.KEYS);
            if (!cachedKeys.isEmpty()) {
                Future<List<ObjectInfo>> listing = listKeysMeanwhile(storage, metadata);
                for (String name : cachedKeys) {
                    byte[] bytes = cache.cached(name);
                    if (bytes == null) {
                        continue;
                    }
                    tried.add(name);
                    MasterKey master;
                    try {
                        master = KeyFile.parse(bytes, name).open(passphrase);
                    } catch (IOException e) {
                        continue; // another key's passphrase, or a key file we cannot read: the backend decides
                    }
                    if (Workers.await(listing).stream().anyMatch(k -> k.name().equals(name))) {
                        return new Unlocked(master, name);
                    }
                    tried.remove(name);
                    break; // removed from the repository meanwhile
                }
                return fromBackend(storage, metadata, Workers.await(listing), tried, passphrase);
            }
        }
        requireRepository(storage);
        return fromBackend(storage, metadata, metadata.list(Repository.KEYS), tried, passphrase);
    }

    private static Unlocked fromBackend(Storage storage, Storage metadata, List<ObjectInfo> keys, Set<String> tried,
                                        char[] passphrase) throws IOException {
        if (keys.isEmpty()) {
            throw new RepositoryException("repository at " + storage.location() + " has no key files");
        }
        List<String> damaged = new ArrayList<>();
        for (ObjectInfo k : keys) {
            if (tried.contains(k.name())) {
                continue; // the same bytes as the cached copy that did not open
            }
            MasterKey master;
            try {
                byte[] bytes = metadata.load(k.name());
                if (!Repository.sha256Hex(bytes).equals(k.name().substring(Repository.KEYS.length()))) {
                    damaged.add(k.name());
                }
                master = KeyFile.parse(bytes, k.name()).open(passphrase);
            } catch (AuthenticationException e) {
                continue;
            } catch (IOException e) {
                // a damaged key file must not stop the others from opening the repository
                if (!damaged.contains(k.name())) {
                    damaged.add(k.name());
                }
                continue;
            }
            return new Unlocked(master, k.name());
        }
        if (!damaged.isEmpty()) {
            throw new RepositoryException("no key of the repository at " + storage.location() + " opens with this passphrase, and "
                    + damaged.size() + " key file(s) are damaged (" + String.join(", ", damaged) + "); try another key's passphrase",
                    ExitCodes.WRONG_PASSWORD);
        }
        throw new RepositoryException("wrong passphrase: no key of the repository at " + storage.location()
                + " opens with it", ExitCodes.WRONG_PASSWORD);
    }

    static void requireRepository(Storage storage) throws IOException {
        if (storage.size(Repository.CONFIG) < 0) {
            throw new RepositoryException("no repository at " + storage.location()
                    + " (run \"lifeboat init\" to create one)", ExitCodes.NO_REPOSITORY);
        }
    }

    private static Future<List<ObjectInfo>> listKeysMeanwhile(Storage storage, Storage metadata) {
        FutureTask<List<ObjectInfo>> task = new FutureTask<>(() -> {
            requireRepository(storage);
            return metadata.list(Repository.KEYS);
        });
        dev.lifeboat.util.Workers.startDaemon("list-keys", task);
        return task;
    }
}
