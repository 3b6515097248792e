package dev.lifeboat.repository;

import dev.lifeboat.crypto.Argon2idParams;
import dev.lifeboat.storage.ObjectInfo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Managing the key files that wrap a repository's master key. */
public final class Keys {
    private Keys() {
    }

    public record Info(String name, KeyFile file, boolean current) {
        public String id() {
            return name.substring(Repository.KEYS.length());
        }
    }

    public static List<Info> list(Repository repo) throws IOException {
        List<Info> out = new ArrayList<>();
        for (ObjectInfo o : repo.list(Repository.KEYS)) {
            out.add(new Info(o.name(), KeyFile.parse(repo.storage().load(o.name()), o.name()), o.name().equals(repo.keyName())));
        }
        return out;
    }

    /** Stores a new key file for passphrase; returns its name. */
    public static String add(Repository repo, char[] passphrase, Argon2idParams params) throws IOException {
        return store(repo, KeyFile.create(repo.masterKey(), passphrase, params, Hosts.hostname(), Hosts.username()));
    }

    /** Stores a new key file opened by a random secret ({@link KeyFile#newSecret}); returns its name. */
    public static String addSecret(Repository repo, String secret) throws IOException {
        return store(repo, KeyFile.createForSecret(repo.masterKey(), secret, Hosts.hostname(), Hosts.username()));
    }

    private static String store(Repository repo, KeyFile k) throws IOException {
        byte[] bytes = k.toBytes();
        String name = Repository.KEYS + Repository.sha256Hex(bytes);
        repo.storage().save(name, bytes);
        return name;
    }

    /** Removes a key given by id prefix; refuses the key in use and the last key. */
    public static String remove(Repository repo, String idPrefix, boolean allowCurrent) throws IOException {
        List<Info> keys = list(repo);
        List<Info> matches = keys.stream().filter(k -> k.id().startsWith(idPrefix.toLowerCase())).toList();
        if (matches.isEmpty()) {
            throw new RepositoryException("no key with id " + idPrefix);
        }
        if (matches.size() > 1) {
            throw new RepositoryException("key id " + idPrefix + " is ambiguous");
        }
        Info k = matches.get(0);
        if (k.current() && !allowCurrent) {
            throw new RepositoryException("refusing to remove the key in use; open the repository with another key to remove it");
        }
        if (keys.size() == 1) {
            throw new RepositoryException("refusing to remove the last key: the repository could never be opened again");
        }
        repo.storage().delete(k.name());
        return k.name();
    }
}
