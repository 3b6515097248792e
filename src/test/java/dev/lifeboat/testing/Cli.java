package dev.lifeboat.testing;

import dev.lifeboat.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs the real CLI in this JVM against one repository, capturing its output. */
public final class Cli {
    public static final String CHEAP_KDF = "m=1024,t=1,p=1";

    public record Run(int exit, String out, String err, byte[] outBytes) {
        public String toString() {
            return "exit=" + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private final Path repo;
    private final String location;
    private final Path passwordFile;

    public Cli(Path repo, Path passwordFile) {
        this(repo, repo.toString(), passwordFile);
    }

    /** A CLI for a repository given as a location string (e.g. "s3:http://127.0.0.1:9000/bucket/prefix"). */
    public Cli(String location, Path passwordFile) {
        this(null, location, passwordFile);
    }

    private Cli(Path repo, String location, Path passwordFile) {
        this.repo = repo;
        this.location = location;
        this.passwordFile = passwordFile;
        System.setProperty("lifeboat.kdf", CHEAP_KDF);
        useTestCache();
    }

    /** Remote repositories' metadata caches go to a directory of this test run, not to ~/.cache. */
    private static synchronized void useTestCache() {
        if (System.getProperty(CACHE_PROPERTY) == null) {
            try {
                System.setProperty(CACHE_PROPERTY, Files.createTempDirectory("lifeboat-test-cache").toString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    public static final String CACHE_PROPERTY = "lifeboat.cache.dir";

    /** A CLI for repo with passphrase written to a file beside it. */
    public static Cli create(Path dir, String passphrase) throws IOException {
        Path pw = dir.resolve("password-" + Math.abs(passphrase.hashCode()));
        Files.writeString(pw, passphrase + "\n");
        return new Cli(dir.resolve("repo"), pw);
    }

    /** A CLI for a repository location string, with passphrase written to a file in dir. */
    public static Cli forLocation(String location, Path dir, String passphrase) throws IOException {
        Path pw = dir.resolve("password-" + Math.abs(passphrase.hashCode()));
        Files.writeString(pw, passphrase + "\n");
        return new Cli(location, pw);
    }

    /** The repository directory; fails for a CLI made from a non-local location. */
    public Path repo() {
        if (repo == null) {
            throw new IllegalStateException("not a local repository: " + location);
        }
        return repo;
    }

    public String location() {
        return location;
    }

    public Path passwordFile() {
        return passwordFile;
    }

    public Cli withPassword(Path otherPasswordFile) {
        return new Cli(repo, location, otherPasswordFile);
    }

    /** Runs "lifeboat CMD -r REPO --password-file F ARGS..." ; the common flags go after the subcommand. */
    public Run run(String... args) {
        List<String> full = new ArrayList<>(Arrays.asList(args));
        int insertAt = args.length > 0 && (args[0].equals("key") || args[0].equals("pg")) ? 2 : 1;
        full.addAll(Math.min(insertAt, full.size()), List.of("-r", location, "--password-file", passwordFile.toString()));
        if (args.length > 0 && args[0].equals("init")) {
            full.addAll(List.of("--kdf", CHEAP_KDF));
        }
        return raw(full.toArray(new String[0]));
    }

    public static synchronized Run raw(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.out.flush();
            System.err.flush();
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), out.toByteArray());
    }

    public Run ok(String... args) {
        Run r = run(args);
        if (r.exit() != 0) {
            throw new AssertionError("lifeboat " + String.join(" ", args) + " failed: " + r);
        }
        return r;
    }
}
