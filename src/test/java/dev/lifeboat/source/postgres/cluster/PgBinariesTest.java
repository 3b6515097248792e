package dev.lifeboat.source.postgres.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgBinariesTest {

    @Test
    void discoversAnInstallationWithItsVersion() {
        List<PgBinaries> found = PgBinaries.discover();
        assertFalse(found.isEmpty(), "these tests need PostgreSQL installed");
        for (PgBinaries b : found) {
            assertTrue(b.major() >= 9, b.toString());
            assertTrue(b.version().startsWith(String.valueOf(b.major())), b.toString());
        }
    }

    @Test
    void newestHasServerAndClientTools() {
        PgBinaries b = PgBinaries.newest(Optional.empty());
        for (String tool : List.of("initdb", "pg_ctl", "postgres", "pg_dump", "pg_restore", "psql", "pg_basebackup")) {
            assertTrue(Files.isExecutable(b.tool(tool)), tool);
        }
    }

    @Test
    void forMajorFindsTheInstalledMajor() {
        PgBinaries newest = PgBinaries.newest(Optional.empty());
        PgBinaries b = PgBinaries.forMajor(newest.major(), Optional.empty());
        assertEquals(newest.major(), b.major());
    }

    @Test
    void configuredDirectoryIsUsed() {
        PgBinaries newest = PgBinaries.newest(Optional.empty());
        Optional<Path> configured = Optional.of(newest.binDir());
        assertEquals(newest.binDir(), PgBinaries.newest(configured).binDir());
        assertEquals(newest.binDir(), PgBinaries.forMajor(newest.major(), configured).binDir());
    }

    @Test
    void missingMajorIsReportedOnOneLineWithPlacesAndAdvice() {
        PgNotFoundException e = assertThrows(PgNotFoundException.class,
                () -> PgBinaries.forMajor(99, Optional.empty()));
        String m = e.getMessage();
        assertTrue(m.startsWith("PostgreSQL 99 not found (searched "), m);
        assertTrue(m.contains("/usr/lib/postgresql/99/bin"), m);
        assertTrue(m.contains("/usr/pgsql-99/bin"), m);
        assertTrue(m.contains("PATH"), m);
        assertTrue(m.contains("install postgresql-99 or set LIFEBOAT_PG_BIN"), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void missingToolNamesToolMajorAndPackage() {
        PgBinaries b = PgBinaries.newest(Optional.empty());
        PgNotFoundException e = assertThrows(PgNotFoundException.class, () -> b.tool("pg_no_such_tool"));
        String m = e.getMessage();
        assertTrue(m.startsWith("pg_no_such_tool for PostgreSQL " + b.major() + " not found (searched "), m);
        assertTrue(m.contains(b.binDir().toString()), m);
        assertTrue(m.endsWith("install postgresql-client-" + b.major() + " or set LIFEBOAT_PG_BIN"), m);
    }

    @Test
    void serverToolsSuggestTheServerPackage() {
        assertEquals("postgresql-16", PgBinaries.packageFor("initdb", 16));
        assertEquals("postgresql-client-16", PgBinaries.packageFor("pg_dump", 16));
    }

    /** Like a client-only install: the configured directory has psql but no initdb. */
    @Test
    void toolMissingFromConfiguredDirectoryComesFromTheSameMajorElsewhere(@TempDir Path clientOnly) throws Exception {
        PgBinaries full = PgBinaries.newest(Optional.empty());
        Files.createSymbolicLink(clientOnly.resolve("psql"), full.tool("psql"));
        PgBinaries b = PgBinaries.forMajor(full.major(), Optional.of(clientOnly));
        assertEquals(clientOnly, b.binDir());
        assertEquals(clientOnly.resolve("psql"), b.tool("psql"));
        assertTrue(b.tool("initdb").startsWith(full.tool("initdb").getParent()), b.tool("initdb").toString());
    }

    @Test
    void directoryWithoutPostgresIsRejected(@TempDir Path empty) {
        PgNotFoundException e = assertThrows(PgNotFoundException.class, () -> PgBinaries.at(empty));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    }
}
