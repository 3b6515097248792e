package dev.lifeboat.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "pg", mixinStandardHelpOptions = true,
        description = "PostgreSQL: logical backups, restores, extraction to standard formats, and verification by restoring.",
        subcommands = {PgBackupCommand.class, PgRestoreCommand.class, PgExtractCommand.class, PgVerifyCommand.class,
                PgInfoCommand.class})
final class PgCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
