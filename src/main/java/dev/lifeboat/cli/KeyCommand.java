package dev.lifeboat.cli;

import dev.lifeboat.repository.Keys;
import dev.lifeboat.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "key", mixinStandardHelpOptions = true, description = "Manage the passphrases that open the repository.",
        subcommands = {KeyCommand.ListKeys.class, KeyCommand.Add.class, KeyCommand.Remove.class, KeyCommand.Passwd.class})
final class KeyCommand implements Runnable {
    @Override
    public void run() {
        throw new IllegalArgumentException("missing subcommand: list, add, remove or passwd");
    }

    static char[] newPassphrase(Path file) throws IOException {
        if (file != null) {
            return Passwords.fromFile(file);
        }
        String env = System.getenv("LIFEBOAT_NEW_PASSWORD");
        if (env != null && !env.isEmpty()) {
            return env.toCharArray();
        }
        return Passwords.prompt("New passphrase", true);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List key files.")
    static final class ListKeys implements java.util.concurrent.Callable<Integer> {
        @Mixin
        GlobalOptions g;

        @Override
        public Integer call() throws Exception {
            try (Repository repo = Repos.open(g)) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (Keys.Info k : Keys.list(repo)) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", k.id());
                    m.put("current", k.current());
                    m.put("user", k.file().user());
                    m.put("host", k.file().host());
                    m.put("created", k.file().created());
                    m.put("kdf", k.file().opensWithSecret() ? k.file().kdf() + " (key file)"
                            : k.file().kdf() + " m=" + k.file().memoryKiB() + " t=" + k.file().iterations() + " p=" + k.file().parallelism());
                    out.add(m);
                }
                if (g.json) {
                    Out.json(out);
                } else {
                    for (Map<String, Object> m : out) {
                        Out.line(String.format("%s %-10s %-12s %-16s %s", Boolean.TRUE.equals(m.get("current")) ? "*" : " ",
                                ((String) m.get("id")).substring(0, 10), m.get("user"), m.get("host"), m.get("created")));
                    }
                }
            }
            return 0;
        }
    }

    /** Options and work shared by "key add" and "key passwd": both store a key for a new passphrase. */
    abstract static class NewKey implements java.util.concurrent.Callable<Integer> {
        @Mixin
        GlobalOptions g;
        @Option(names = "--new-password-file", description = "Read the new passphrase from FILE (or $LIFEBOAT_NEW_PASSWORD, else prompt).")
        Path newFile;

        @Override
        public Integer call() throws Exception {
            try (Repository repo = Repos.open(g)) {
                String added = Keys.add(repo, newPassphrase(newFile), InitCommand.kdfFromEnv());
                Out.line(after(repo, added.substring(Repository.KEYS.length(), Repository.KEYS.length() + 10)));
            }
            return 0;
        }

        abstract String after(Repository repo, String newKeyId) throws IOException;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a passphrase, or a key file.")
    static final class Add extends NewKey {
        @Option(names = "--new-key-file", paramLabel = "FILE",
                description = "Instead of a passphrase, write a new random key into FILE (created, readable by you only) and add it. "
                        + "Give FILE like a passphrase file (--password-file, $LIFEBOAT_PASSWORD_FILE): the repository then opens "
                        + "without a passphrase's deliberately slow key derivation, for unattended jobs.")
        Path newKeyFile;

        @Override
        public Integer call() throws Exception {
            if (newKeyFile == null) {
                return super.call();
            }
            String secret = dev.lifeboat.repository.KeyFile.newSecret();
            try (Repository repo = Repos.open(g)) {
                writeSecret(newKeyFile, secret);
                String added = Keys.addSecret(repo, secret);
                Out.line("added key " + added.substring(Repository.KEYS.length(), Repository.KEYS.length() + 10)
                        + "; it opens with " + newKeyFile);
            }
            return 0;
        }

        /** Creates the file readable and writable by its owner only; an existing file is never overwritten. */
        private static void writeSecret(Path file, String secret) throws java.io.IOException {
            try {
                java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw new dev.lifeboat.repository.RepositoryException(file + " already exists; a key file is never overwritten",
                        dev.lifeboat.repository.ExitCodes.USAGE);
            }
            java.nio.file.Files.writeString(file, secret + "\n");
        }

        @Override
        String after(Repository repo, String newKeyId) {
            return "added key " + newKeyId;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a key (not the one in use, not the last).")
    static final class Remove implements java.util.concurrent.Callable<Integer> {
        @Mixin
        GlobalOptions g;
        @Parameters(paramLabel = "ID", description = "Key id prefix, as \"key list\" shows it.")
        String id;

        @Override
        public Integer call() throws Exception {
            try (Repository repo = Repos.open(g)) {
                Keys.remove(repo, id, false);
                Out.line("removed key " + id);
            }
            return 0;
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Change the passphrase in use.")
    static final class Passwd extends NewKey {
        @Override
        String after(Repository repo, String newKeyId) throws IOException {
            // the new key was stored before the old one goes, so a crash leaves both usable
            Keys.remove(repo, repo.keyName().substring(Repository.KEYS.length()), true);
            return "passphrase changed (key " + newKeyId + ")";
        }
    }
}
