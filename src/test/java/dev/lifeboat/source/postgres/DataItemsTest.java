package dev.lifeboat.source.postgres;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading pg_restore's script of marker files, and the COPY statements that come out of it. */
class DataItemsTest {
    private static final String SCRIPT = """
            --
            -- PostgreSQL database dump
            --

            \\restrict abc

            SET statement_timeout = 0;
            SET client_encoding = 'LATIN1';
            SET standard_conforming_strings = on;
            SELECT pg_catalog.set_config('search_path', '', false);
            SET xmloption = content;
            SET row_security = off;

            --
            -- Data for Name: Audit Log; Type: TABLE DATA; Schema: public; Owner: postgres
            --

            COPY public."Audit Log" ("Id", "Table Name") FROM stdin;
            lifeboat-copy-probe 3401.dat
            --
            -- Data for Name: odd.name; Type: TABLE DATA; Schema: my schema; Owner: postgres
            --

            COPY "my schema"."odd.name" (a) FROM stdin;
            lifeboat-copy-probe 3402.dat
            """;

    private static TocLine line(String s) {
        return TocLine.parse(s);
    }

    @Test
    void readsEachCopyStatementTheSessionSettingsAndTheEncoding() {
        List<TocLine> data = List.of(line("3401; 0 16400 TABLE DATA public Audit Log postgres"),
                line("3402; 0 16410 TABLE DATA my schema odd.name postgres"));
        DataItems items = DataItems.parse(SCRIPT, data, Set.of("public Audit Log postgres"), List.of());
        assertEquals("LATIN1", items.encoding());
        assertEquals(List.of("SET statement_timeout = 0;", "SET standard_conforming_strings = on;",
                "SELECT pg_catalog.set_config('search_path', '', false);", "SET xmloption = content;",
                "SET row_security = off;"), items.settings());
        assertEquals("COPY public.\"Audit Log\" (\"Id\", \"Table Name\") FROM stdin;", items.tables().get(0).copy());
        assertTrue(items.tables().get(0).created());
        assertEquals("3402.dat", items.tables().get(1).file());
        assertFalse(items.tables().get(1).created(), "no TABLE entry: an extension's table, not to be emptied");
    }

    @Test
    void anEntryWithoutItsCopyStatementIsRefused() {
        List<TocLine> data = List.of(line("3403; 0 16420 TABLE DATA public missing postgres"));
        PgException e = assertThrows(PgException.class, () -> DataItems.parse(SCRIPT, data, Set.of(), List.of()));
        assertTrue(e.getMessage().contains("public missing postgres"), e.getMessage());
    }

    @Test
    void theTargetOfACopyIsReadWithItsQuotes() {
        assertEquals("public.\"Audit Log\"", TableLoader.copyTarget("COPY public.\"Audit Log\" (\"Id\") FROM stdin;"));
        assertEquals("\"my schema\".\"odd.name\"", TableLoader.copyTarget("COPY \"my schema\".\"odd.name\" (a) FROM stdin;"));
        assertEquals("\"we\"\"ird\".t", TableLoader.copyTarget("COPY \"we\"\"ird\".t FROM stdin;"));
        assertEquals("s.t", TableLoader.copyTarget("COPY s.t (a, b) FROM stdin;"));
    }

    @Test
    void freezeAndEncodingGoIntoTheStatementsOptions() {
        String copy = "COPY s.t (a) FROM stdin;";
        assertEquals("COPY s.t (a) FROM stdin", TableLoader.statement(copy, false, "UTF8"));
        assertEquals("COPY s.t (a) FROM stdin WITH (FREEZE)", TableLoader.statement(copy, true, "UTF8"));
        assertEquals("COPY s.t (a) FROM stdin WITH (FREEZE, ENCODING 'LATIN1')", TableLoader.statement(copy, true, "LATIN1"));
    }
}
