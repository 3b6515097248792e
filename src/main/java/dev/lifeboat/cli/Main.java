package dev.lifeboat.cli;

import dev.lifeboat.repository.CorruptObjectException;
import dev.lifeboat.repository.ExitCodes;
import dev.lifeboat.repository.RepositoryException;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;

@Command(name = "lifeboat", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Encrypted, deduplicated backups of files and PostgreSQL, verified by restoring them.")
public final class Main implements Runnable {
    /** The subcommands, in the order help lists them; {@link Subcommands} adds them. */
    static final List<Class<?>> COMMANDS = List.of(InitCommand.class, BackupCommand.class, SnapshotsCommand.class,
            LsCommand.class, RestoreCommand.class, DiffCommand.class, DumpCommand.class, CheckCommand.class,
            ForgetCommand.class, PruneCommand.class, KeyCommand.class, UnlockCommand.class, StatsCommand.class,
            CopyCommand.class, PgCommand.class, CopiesCommand.class, RepairCommand.class, AutoComplete.GenerateCompletion.class);

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        int code = run(args);
        ClassArchive.preloadIfAsked();
        System.exit(code);
    }

    /** Runs the CLI and returns the exit code; every failure becomes one line on stderr. */
    public static int run(String... args) {
        CommandLine cl = Subcommands.add(new CommandLine(new Main()), COMMANDS, args, 0);
        CommandLine completion = cl.getSubcommands().get("generate-completion");
        if (completion != null) {
            completion.getCommandSpec().usageMessage().hidden(false);
        }
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            System.err.println("lifeboat: " + message(ex));
            if (System.getenv("LIFEBOAT_DEBUG") != null) {
                ex.printStackTrace();
            }
            return exitCode(ex);
        });
        cl.setParameterExceptionHandler((ex, args2) -> {
            System.err.println("lifeboat: " + ex.getMessage().lines().findFirst().orElse("invalid usage")
                    + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return ExitCodes.USAGE;
        });
        return cl.execute(args);
    }

    static String message(Throwable ex) {
        if (ex instanceof UncheckedIOException u) {
            ex = u.getCause();
        }
        if (ex instanceof RepositoryException || ex instanceof CorruptObjectException
                || ex instanceof dev.lifeboat.source.postgres.PgException
                || ex instanceof dev.lifeboat.source.postgres.cluster.ClusterException
                || ex instanceof dev.lifeboat.source.postgres.cluster.PgNotFoundException) {
            return ex.getMessage();
        }
        if (ex instanceof NoSuchFileException n) {
            return n.getFile() + ": " + (n.getReason() != null ? n.getReason() : "no such file or directory");
        }
        if (ex instanceof AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (ex instanceof FileSystemException f && f.getReason() != null) {
            return (f.getFile() != null ? f.getFile() + ": " : "") + f.getReason();
        }
        if (ex instanceof IllegalArgumentException) {
            return ex.getMessage();
        }
        if (ex instanceof IOException) {
            return ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
        }
        if (ex instanceof OutOfMemoryError) {
            return "out of memory (raise -Xmx via LIFEBOAT_JAVA_OPTS)";
        }
        return "internal error: " + ex;
    }

    static int exitCode(Throwable ex) {
        if (ex instanceof RepositoryException r) {
            return r.exitCode();
        }
        if (ex instanceof IllegalArgumentException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.ERROR;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{dev.lifeboat.util.Version.get()};
        }
    }
}
