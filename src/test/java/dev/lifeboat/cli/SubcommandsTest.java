package dev.lifeboat.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubcommandsTest {
    private static CommandLine build(String... args) {
        return Subcommands.add(new CommandLine(new Main()), Main.COMMANDS, args, 0);
    }

    @Test
    void buildsOnlyTheNamedCommand() {
        CommandLine cl = build("pg", "restore", "--help");
        assertEquals(java.util.Set.of("pg"), cl.getSubcommands().keySet());
        assertEquals(java.util.Set.of("restore"), cl.getSubcommands().get("pg").getSubcommands().keySet());
        assertEquals(java.util.Set.of("backup"), build("backup", "/tmp").getSubcommands().keySet());
    }

    @Test
    void helpTyposAndCompletionSeeEveryCommand() {
        for (String[] args : new String[][]{{}, {"--help"}, {"bakup"}, {"generate-completion"}}) {
            CommandLine cl = build(args);
            assertEquals(Main.COMMANDS.size(), cl.getSubcommands().size(), String.join(" ", args));
            assertEquals(PgCommand.COMMANDS.size(), cl.getSubcommands().get("pg").getSubcommands().size());
        }
        assertEquals(PgCommand.COMMANDS.size(), build("pg", "--help").getSubcommands().get("pg").getSubcommands().size());
        assertEquals(PgCommand.COMMANDS.size(), build("pg", "restor").getSubcommands().get("pg").getSubcommands().size());
    }

    @Test
    void completionScriptCoversTheWholeTree() {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run("generate-completion"));
        } finally {
            System.setOut(old);
        }
        String script = out.toString(StandardCharsets.UTF_8);
        assertTrue(script.contains("wal-stream") && script.contains("snapshots") && script.contains("restore-point"), "completion script");
    }
}
