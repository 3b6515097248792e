package dev.lifeboat.copy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.Trees;
import dev.lifeboat.util.Json;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** copies check: a copy set of real local repositories and the 3-2-1 rule. */
class CopiesCheckTest {
    @TempDir
    Path tmp;
    Cli a;
    Cli b;
    Path s1;

    @BeforeEach
    void setUp() throws Exception {
        s1 = tmp.resolve("s1");
        Path s2 = tmp.resolve("s2");
        Trees.randomTree(s1, 1, 10, 20_000);
        Trees.randomTree(s2, 2, 10, 20_000);
        a = Cli.create(Files.createDirectories(tmp.resolve("a")), "pw-a");
        a.ok("init", "--pack-size", "128K", "--chunker-min", "8K", "--chunker-avg", "16K", "--chunker-max", "64K");
        a.ok("backup", s1.toString());
        a.ok("backup", s2.toString());
        b = Cli.create(Files.createDirectories(tmp.resolve("b")), "pw-b");
        b.ok("init", "--copy-of", a.location(), "--from-password-file", a.passwordFile().toString());
        b.ok("copy", "--from", a.location(), "--from-password-file", a.passwordFile().toString());
    }

    private static String repo(Cli c, String media, boolean offsite) {
        return "  - location: " + c.location() + "\n    media: " + media + "\n    offsite: " + offsite
                + "\n    password_file: " + c.passwordFile() + "\n";
    }

    private Path config(String yaml) throws Exception {
        return Files.writeString(Files.createTempFile(tmp, "copies", ".yaml"), yaml);
    }

    private static Cli.Run check(Path config, boolean json) {
        return json ? Cli.raw("copies", "check", "--config", config.toString(), "--json")
                : Cli.raw("copies", "check", "--config", config.toString());
    }

    private static JsonNode json(Cli.Run r) throws Exception {
        return Json.MAPPER.readTree(r.out());
    }

    @Test
    void twoCopiesOffsiteOnTwoMediaPlusLiveDataPass() throws Exception {
        Path cfg = config("live_source: true\nrepositories:\n" + repo(a, "disk", false) + repo(b, "object-storage", true));
        Cli.Run text = check(cfg, false);
        assertEquals(0, text.exit(), text.toString());
        assertTrue(text.out().contains("PASS  at least 3 copies (copies): 3 (live data + 2 repositories)"), text.out());
        assertTrue(text.out().contains("PASS  at least 2 media kinds (media): 2 (disk, object-storage)"), text.out());
        assertTrue(text.out().contains("PASS  at least 1 offsite copy (offsite): 1"), text.out());
        assertFalse(text.out().contains("missing"), text.out());
        assertTrue(text.out().contains("result: PASS"), text.out());

        Cli.Run r = check(cfg, true);
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = json(r);
        assertTrue(j.get("ok").asBoolean());
        assertEquals(2, j.get("snapshots").size(), j.toString());
        assertEquals(2, j.get("groups").size(), j.toString());
        for (JsonNode g : j.get("groups")) {
            assertEquals(3, g.get("copies").asInt());
            assertEquals(1, g.get("offsite").asInt());
        }
        for (JsonNode s : j.get("snapshots")) {
            assertEquals(2, s.get("present").size());
            assertEquals(0, s.get("missing").size());
        }
        // without the live data, two repositories are not three copies
        Cli.Run noLive = check(config("live_source: false\nrepositories:\n" + repo(a, "disk", false)
                + repo(b, "object-storage", true)), false);
        assertEquals(13, noLive.exit(), noLive.toString());
        assertTrue(noLive.out().contains("FAIL  at least 3 copies (copies): 2 (2 repositories)"), noLive.out());
    }

    @Test
    void withoutAnOffsiteCopyTheOffsiteRuleFails() throws Exception {
        Path cfg = config("repositories:\n" + repo(a, "disk", false) + repo(b, "object-storage", false));
        Cli.Run r = check(cfg, false);
        assertEquals(13, r.exit(), r.toString());
        assertTrue(r.out().contains("FAIL  at least 1 offsite copy (offsite): 0"), r.out());
        assertFalse(r.out().contains("FAIL  at least 3"), r.out());
        assertFalse(r.out().contains("FAIL  at least 2"), r.out());
        assertTrue(r.out().contains("result: FAIL"), r.out());
        JsonNode j = json(check(cfg, true));
        assertFalse(j.get("ok").asBoolean());
        JsonNode rules = j.get("groups").get(0).get("rules");
        assertEquals("offsite", rules.get(2).get("rule").asText());
        assertFalse(rules.get(2).get("pass").asBoolean());
        assertTrue(rules.get(0).get("pass").asBoolean());

        // one media kind only fails the media rule
        Cli.Run oneMedia = check(config("repositories:\n" + repo(a, "disk", false) + repo(b, "disk", true)), false);
        assertEquals(13, oneMedia.exit(), oneMedia.toString());
        assertTrue(oneMedia.out().contains("FAIL  at least 2 media kinds (media): 1 (disk)"), oneMedia.out());
    }

    @Test
    void aSnapshotMissingFromOneCopyDropsTheCount() throws Exception {
        a.ok("backup", s1.toString()); // newest of the s1 group, not copied to b
        Path cfg = config("repositories:\n" + repo(a, "disk", false) + repo(b, "object-storage", true));
        Cli.Run text = check(cfg, false);
        assertEquals(13, text.exit(), text.toString());
        assertEquals(1, text.out().lines().filter(l -> l.contains("missing")).count(), text.out());
        assertTrue(text.out().contains("FAIL  at least 3 copies (copies): 2 (live data + 1 repository)"), text.out());

        JsonNode j = json(check(cfg, true));
        assertEquals(3, j.get("snapshots").size(), j.toString());
        JsonNode last = j.get("snapshots").get(2);
        assertEquals(s1.toString(), last.get("paths").get(0).asText());
        assertEquals(b.location(), last.get("missing").get(0).asText());
        for (JsonNode g : j.get("groups")) {
            boolean isS1 = g.get("paths").get(0).asText().equals(s1.toString());
            assertEquals(isS1 ? 2 : 3, g.get("copies").asInt(), g.toString());
            assertEquals(!isS1, g.get("ok").asBoolean(), g.toString());
            assertEquals(!isS1, g.get("rules").get(0).get("pass").asBoolean(), g.toString());
        }
        // once copied, it holds again
        b.ok("copy", "--from", a.location(), "--from-password-file", a.passwordFile().toString());
        assertEquals(0, check(cfg, false).exit());
    }

    @Test
    void aRepositoryThatIsNotACopyOrCannotBeOpenedIsOneLine() throws Exception {
        Cli plain = Cli.create(Files.createDirectories(tmp.resolve("plain")), "pw-plain");
        plain.ok("init", "--pack-size", "128K", "--chunker-min", "8K", "--chunker-avg", "16K", "--chunker-max", "64K");
        Cli.Run r = check(config("repositories:\n" + repo(a, "disk", false) + repo(plain, "tape", true)), false);
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        assertTrue(r.err().contains(plain.location() + " is not a copy of " + a.location()), r.err());

        Path nowhere = tmp.resolve("nowhere");
        Cli.Run missing = check(config("repositories:\n" + repo(a, "disk", false)
                + "  - location: " + nowhere + "\n    media: tape\n    password_file: " + b.passwordFile() + "\n"), false);
        assertEquals(1, missing.exit(), missing.toString());
        assertEquals(1, missing.err().strip().lines().count(), missing.toString());
        assertTrue(missing.err().contains("cannot open " + nowhere), missing.err());

        Cli.Run wrongPw = check(config("repositories:\n" + repo(a, "disk", false)
                + "  - location: " + b.location() + "\n    media: tape\n    password_file: " + a.passwordFile() + "\n"), false);
        assertEquals(1, wrongPw.exit(), wrongPw.toString());
        assertEquals(1, wrongPw.err().strip().lines().count(), wrongPw.toString());
        assertTrue(wrongPw.err().contains("cannot open " + b.location()), wrongPw.err());
        assertFalse(wrongPw.err().contains("pw-a"), wrongPw.err());

        Cli.Run noEnv = check(config("repositories:\n" + repo(a, "disk", false)
                + "  - location: " + b.location() + "\n    media: tape\n    password_env: LIFEBOAT_TEST_SURELY_UNSET_42\n"), false);
        assertEquals(1, noEnv.exit(), noEnv.toString());
        assertTrue(noEnv.err().contains("LIFEBOAT_TEST_SURELY_UNSET_42 is not set"), noEnv.err());
    }

    @Test
    void invalidConfigIsOneLineAndExit2() throws Exception {
        String[] bad = {
                "repositories: [\n  - location: x\n",                      // not YAML
                "live_source: true\n",                                       // no repositories
                "repositories:\n  - location: " + a.location() + "\n    password_file: " + a.passwordFile() + "\n", // no media
                "repositories:\n  - location: " + a.location() + "\n    media: disk\n",  // no passphrase source
                "repositories:\n" + repo(a, "disk", false) + "    ofsite: true\n",     // typo
                "live_source: maybe\nrepositories:\n" + repo(a, "disk", false),
        };
        for (String yaml : bad) {
            Cli.Run r = check(config(yaml), false);
            assertEquals(2, r.exit(), yaml + "\n" + r);
            assertEquals(1, r.err().strip().lines().count(), yaml + "\n" + r);
            assertEquals("", r.out(), r.toString());
        }
        Cli.Run absent = Cli.raw("copies", "check", "--config", tmp.resolve("absent.yaml").toString());
        assertEquals(2, absent.exit(), absent.toString());
    }
}
