package dev.lifeboat.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the CLI in a separate JVM, so tests can kill it with SIGKILL at any moment. */
public final class LifeboatProcess {
    private LifeboatProcess() {
    }

    public static ProcessBuilder builder(Path repo, String passphrase, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.lifeboat.cli.Main");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.put("LIFEBOAT_REPOSITORY", repo.toString());
        env.put("LIFEBOAT_PASSWORD", passphrase);
        env.put("LIFEBOAT_KDF", Cli.CHEAP_KDF);
        env.remove("LIFEBOAT_PASSWORD_FILE");
        pb.redirectErrorStream(true);
        pb.redirectOutput(new File("/dev/null"));
        return pb;
    }

    /** Runs to completion; returns the exit code. */
    public static int run(Path repo, String passphrase, String... args) throws IOException, InterruptedException {
        Process p = builder(repo, passphrase, args).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("lifeboat " + String.join(" ", args) + " did not finish");
        }
        return p.exitValue();
    }

    /** Starts the command and kills it with SIGKILL after delayMillis (or lets it finish first). */
    public static boolean runAndKill(Path repo, String passphrase, long delayMillis, String... args)
            throws IOException, InterruptedException {
        Process p = builder(repo, passphrase, args).start();
        boolean finished = p.waitFor(delayMillis, TimeUnit.MILLISECONDS);
        if (!finished) {
            p.destroyForcibly(); // SIGKILL on Linux
            p.waitFor();
        }
        return !finished;
    }
}
