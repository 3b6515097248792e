package dev.lifeboat.cli;

import dev.lifeboat.repository.ExitCodes;
import dev.lifeboat.repository.RepositoryException;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/** Where a passphrase comes from, in order: flag file, env file, env value, terminal prompt. */
final class Passwords {
    private Passwords() {
    }

    static char[] read(GlobalOptions g, String prompt) throws IOException {
        if (g.passwordFile != null) {
            return fromFile(g.passwordFile);
        }
        String file = System.getenv("LIFEBOAT_PASSWORD_FILE");
        if (file != null && !file.isEmpty()) {
            return fromFile(Path.of(file));
        }
        String env = System.getenv("LIFEBOAT_PASSWORD");
        if (env != null && !env.isEmpty()) {
            return env.toCharArray();
        }
        return prompt(prompt, false);
    }

    static char[] prompt(String prompt, boolean confirm) throws IOException {
        Console c = System.console();
        if (c == null) {
            throw new RepositoryException("no passphrase given: set LIFEBOAT_PASSWORD or LIFEBOAT_PASSWORD_FILE, or use --password-file", ExitCodes.USAGE);
        }
        char[] pw = c.readPassword("%s: ", prompt);
        if (pw == null || pw.length == 0) {
            throw new RepositoryException("empty passphrase", ExitCodes.USAGE);
        }
        if (confirm) {
            char[] again = c.readPassword("Repeat %s: ", prompt.toLowerCase());
            if (again == null || !Arrays.equals(pw, again)) {
                throw new RepositoryException("passphrases do not match", ExitCodes.USAGE);
            }
        }
        return pw;
    }

    static char[] fromFile(Path file) throws IOException {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8);
            int end = s.length();
            while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
                end--;
            }
            if (end == 0) {
                throw new RepositoryException("password file " + file + " is empty", ExitCodes.USAGE);
            }
            return s.substring(0, end).toCharArray();
        } catch (NoSuchFileException e) {
            throw new RepositoryException("password file " + file + " does not exist", ExitCodes.USAGE);
        }
    }
}
