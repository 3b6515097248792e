package dev.lifeboat.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Lets the launcher's class-data archive cover commands that its training run cannot execute. The
 * archive (-XX:ArchiveClassesAtExit) holds the classes that the training run loaded, and the pg
 * commands need a PostgreSQL server, which a build does not have. So the launcher trains their
 * archive with the same local backup as the others, plus this property naming package prefixes: the
 * classes under them are loaded, not initialised, before the JVM exits and writes the archive.
 * Parsing and verifying them is what the archive then saves at every start (a restore of a small
 * database took 1.05 s instead of 1.13 s; one trained by a real restore, 1.03 s).
 */
final class ClassArchive {
    /** Comma-separated prefixes of class file names in the jar, such as {@code org/postgresql/}. */
    static final String PRELOAD = "lifeboat.archive.preload";

    private ClassArchive() {
    }

    /** Loads the classes that {@link #PRELOAD} names, if it is set. */
    static void preloadIfAsked() {
        String spec = System.getProperty(PRELOAD);
        if (spec == null || spec.isBlank()) {
            return;
        }
        try {
            preload(ownJar(), List.of(spec.split(",")), ClassArchive.class.getClassLoader());
        } catch (IOException | URISyntaxException | RuntimeException notAJar) {
            // run from classes, not a jar (tests): there is no archive to train
        }
    }

    /** Loads, without initialising, the classes of jar under these prefixes; skips those that fail; returns how many loaded. */
    static int preload(Path jarFile, List<String> prefixes, ClassLoader loader) throws IOException {
        int loaded = 0;
        try (JarFile jar = new JarFile(jarFile.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.endsWith(".class") && !name.endsWith("module-info.class") && prefixes.stream().anyMatch(name::startsWith)) {
                    try {
                        Class.forName(name.substring(0, name.length() - ".class".length()).replace('/', '.'), false, loader);
                        loaded++;
                    } catch (ClassNotFoundException | LinkageError optional) {
                        // a class whose optional dependency is absent: the archive does without it
                    }
                }
            }
        }
        return loaded;
    }

    private static Path ownJar() throws URISyntaxException {
        return Path.of(ClassArchive.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
