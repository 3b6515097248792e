package dev.lifeboat.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "pg", mixinStandardHelpOptions = true,
        description = "PostgreSQL: logical backups and restores, physical base backups, continuous WAL archiving and point-in-time recovery.")
final class PgCommand implements Runnable {
    static final java.util.List<Class<?>> COMMANDS = java.util.List.of(PgBackupCommand.class, PgRestoreCommand.class,
            PgExtractCommand.class, PgVerifyCommand.class, PgInfoCommand.class, PgBasebackupCommand.class,
            PgWalStreamCommand.class, PgWalCheckCommand.class, PgRestorePointCommand.class, PgArchivePushCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
