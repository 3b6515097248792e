package dev.lifeboat.retention;

import static dev.lifeboat.retention.RetentionFixtures.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GroupByTest {

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', textBlock = """
            host,paths       | true  | true  | false | host,paths
            paths,host       | true  | true  | false | host,paths
            host             | true  | false | false | host
            paths            | false | true  | false | paths
            tags             | false | false | true  | tags
            host, tags       | true  | false | true  | host,tags
            host,paths,tags  | true  | true  | true  | host,paths,tags
            host,host        | true  | false | false | host
            ''               | false | false | false | ''
            """)
    void parses(String text, boolean host, boolean paths, boolean tags, String canonical) {
        GroupBy g = GroupBy.parse(text);
        assertEquals(new GroupBy(host, paths, tags), g);
        assertEquals(canonical, g.toString());
        assertEquals(g, GroupBy.parse(g.toString()));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"hosts", "host,", ",host", "host,,paths", "Host", "path", " "})
    void rejects(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GroupBy.parse(text));
        assertEquals("invalid --group-by \"" + text
                + "\": expected a comma-separated list of host, paths, tags (or \"\" for one group)", e.getMessage());
    }

    @Test
    void defaultIsHostAndPaths() {
        assertEquals(GroupBy.parse("host,paths"), GroupBy.DEFAULT);
    }

    @Test
    void keyIgnoresOrderOfPathsAndTags() {
        RetentionSnapshot a = new RetentionSnapshot("a", at("2026-01-01T00:00Z"), "db1",
                List.of("/b", "/a"), Set.of("y", "x"));
        RetentionSnapshot b = new RetentionSnapshot("b", at("2026-01-02T00:00Z"), "db1",
                List.of("/a", "/b"), Set.of("x", "y"));
        GroupBy all = new GroupBy(true, true, true);
        assertEquals(all.keyOf(a), all.keyOf(b));
        assertEquals(new GroupKey("db1", List.of("/a", "/b"), List.of("x", "y")), all.keyOf(a));
        assertEquals("host db1, paths [/a, /b], tags [x, y]", all.keyOf(a).describe());
        assertEquals(new GroupKey(null, null, null), GroupBy.NONE.keyOf(a));
    }
}
