package dev.lifeboat.cli;

import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.LifeboatProcess;
import dev.lifeboat.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills backup, forget and prune with SIGKILL at random moments and proves the repository stays
 * valid (check passes) and usable (the next backup and a restore work).
 */
class CrashSafetyTest {
    private static final String PW = "crash test passphrase";

    @TempDir
    Path tmp;

    @Test
    void killedAtRandomPointsTheRepositoryStaysValid() throws Exception {
        Path src = tmp.resolve("src");
        Trees.randomTree(src, 1, 300, 150_000);
        Cli cli = Cli.create(tmp, PW);
        Path repo = cli.repo();
        cli.ok("init", "--pack-size", "128K", "--chunker-min", "8K", "--chunker-avg", "16K", "--chunker-max", "64K");

        long t0 = System.nanoTime();
        assertEquals(0, LifeboatProcess.run(repo, PW, "backup", "-q", src.toString()));
        long backupMillis = (System.nanoTime() - t0) / 1_000_000;

        Random random = new Random(20261123);
        int kills = 0;
        for (int i = 0; i < 36; i++) {
            mutate(src, random, i);
            String[] cmd = switch (i % 3) {
                case 0, 1 -> new String[]{"backup", "-q", src.toString()};
                default -> i % 2 == 0 ? new String[]{"forget", "-q", "--keep-last", "2", "--prune", "--repack-threshold", "0"}
                        : new String[]{"prune", "-q", "--repack-threshold", "0"};
            };
            if (cmd[0].equals("prune")) {
                cli.ok("forget", "-q", "--keep-last", "3");
            }
            long delay = 150 + (long) (random.nextDouble() * backupMillis * 0.9);
            if (LifeboatProcess.runAndKill(repo, PW, delay, cmd)) {
                kills++;
            }
            Cli.Run check = i % 5 == 0 ? cli.run("check", "--read-data") : cli.run("check", "--read-data-subset", "50%");
            assertEquals(0, check.exit(), "after killing " + String.join(" ", cmd) + " at " + delay + " ms: " + check);
        }
        assertTrue(kills >= 20, "only " + kills + " runs were killed mid-way");

        cli.ok("backup", src.toString());
        cli.ok("check", "--read-data");
        Path out = tmp.resolve("out");
        cli.ok("restore", "latest", "--target", out.toString());
        assertEquals(Trees.describe(src), Trees.describe(out.resolve(src.toString().substring(1))));
        cli.ok("unlock");
        try (Stream<Path> locks = Files.list(repo.resolve("locks"))) {
            assertEquals(0, locks.count());
        }
    }

    private static void mutate(Path src, Random r, int round) throws Exception {
        Path dir = src.resolve("round");
        Files.createDirectories(dir);
        byte[] data = new byte[50_000 + r.nextInt(400_000)];
        r.nextBytes(data);
        Files.write(dir.resolve("r" + round + ".bin"), data);
        if (round > 2) {
            Files.deleteIfExists(dir.resolve("r" + (round - 3) + ".bin"));
        }
    }
}
