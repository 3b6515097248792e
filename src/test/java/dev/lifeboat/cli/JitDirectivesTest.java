package dev.lifeboat.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher hands jvm/jit-directives.json to every JVM it starts, with the VM's console output
 * off: a file the JVM cannot parse would stop every command before it starts, without a word.
 */
class JitDirectivesTest {
    @Test
    void theLaunchersCompilerDirectivesAreAcceptedByThisJvm() throws Exception {
        Path file = Path.of("jvm/jit-directives.json").toAbsolutePath();
        assertTrue(Files.isRegularFile(file), file + " is missing");
        assertTrue(Files.readString(Path.of("lifeboat")).contains("jvm/jit-directives.json"), "the launcher no longer uses it");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UnlockDiagnosticVMOptions", "-XX:CompilerDirectivesFile=" + file, "-version"))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        long directives = Files.readAllLines(file).stream().filter(l -> l.strip().startsWith("{ match:")
                || l.strip().startsWith("match:")).count();
        assertTrue(out.contains(directives + " compiler directives added"), directives + " directives expected: " + out);
    }
}
