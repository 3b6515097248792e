package dev.lifeboat.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/**
 * Builds only the command the arguments name. picocli reads every command class's annotations
 * and fields when it is added: for all of Lifeboat's commands that cost every start about 0.1 s
 * of wall time and 0.12 s of CPU (a short command such as {@code snapshots} took 0.80 s instead of
 * 0.70 s). When the arguments name no command (help, a typo), all are added, so that help lists
 * them and picocli can suggest the nearest; and for the completion script, which covers them all.
 */
final class Subcommands {
    private Subcommands() {
    }

    /** Adds to parent the command of classes that args[at] names, or all of them; returns parent. */
    static CommandLine add(CommandLine parent, List<Class<?>> classes, String[] args, int at) {
        Class<?> named = at < args.length ? named(classes, args[at]) : null;
        if (named == picocli.AutoComplete.GenerateCompletion.class) {
            named = null;
        }
        for (Class<?> c : classes) {
            if (named == null || c == named) {
                parent.addSubcommand(c == PgCommand.class ? add(new CommandLine(new PgCommand()), PgCommand.COMMANDS,
                        args, named == null ? args.length : at + 1) : new CommandLine(c));
            }
        }
        return parent;
    }

    private static Class<?> named(List<Class<?>> classes, String arg) {
        for (Class<?> c : classes) {
            Command cmd = c.getAnnotation(Command.class);
            if (cmd != null && (cmd.name().equals(arg) || List.of(cmd.aliases()).contains(arg))) {
                return c;
            }
        }
        return null;
    }
}
