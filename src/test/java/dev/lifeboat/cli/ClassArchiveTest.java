package dev.lifeboat.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The pg commands' start-up archive is trained by loading the classes under some prefixes of the jar. */
class ClassArchiveTest {
    @Test
    void loadsTheClassesUnderThePrefixesAndSkipsWhatCannotLoad(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            entry(out, "dev/lifeboat/source/postgres/TocLine.class");
            entry(out, "dev/lifeboat/source/postgres/NoSuchClass.class"); // listed, but no loader has it
            entry(out, "dev/lifeboat/source/postgres/package.txt");
            entry(out, "dev/lifeboat/cli/Main.class"); // outside the prefixes
        }
        ClassLoader loader = getClass().getClassLoader();
        assertEquals(1, ClassArchive.preload(jar, List.of("dev/lifeboat/source/postgres/"), loader));
        assertEquals(2, ClassArchive.preload(jar, List.of("dev/lifeboat/source/postgres/", "dev/lifeboat/cli/"), loader));
        assertEquals(0, ClassArchive.preload(jar, List.of("org/postgresql/"), loader));
    }

    private static void entry(JarOutputStream out, String name) throws java.io.IOException {
        out.putNextEntry(new JarEntry(name));
        out.closeEntry();
    }
}
