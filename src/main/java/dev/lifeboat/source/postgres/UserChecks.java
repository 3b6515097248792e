package dev.lifeboat.source.postgres;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The user's own checks for {@code pg verify}, from YAML:
 * <pre>
 * checks:
 *   - name: customers is not empty
 *     sql: SELECT count(*) &gt; 0 FROM customers
 *     expect: true
 *   - name: no negative invoice totals
 *     sql: SELECT count(*) FROM billing.invoices WHERE total &lt; 0
 *     expect: 0
 * </pre>
 * A check passes when the first column of the first row, as text, equals {@code expect} as text
 * (booleans as true/false); {@code database} picks the database in a multi-database snapshot.
 */
public record UserChecks(List<Check> checks) {

    public record Check(String name, String sql, String expect, String database) {
    }

    public static UserChecks load(Path file) {
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read checks file " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("checks file " + file + " is not valid YAML: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (!(doc instanceof Map<?, ?> top) || !(top.get("checks") instanceof List<?> list)) {
            throw new IllegalArgumentException("checks file " + file + ": expected a top-level \"checks:\" list");
        }
        List<Check> out = new ArrayList<>();
        int i = 0;
        for (Object o : list) {
            i++;
            if (!(o instanceof Map<?, ?> m) || !(m.get("sql") instanceof String sql) || !m.containsKey("expect")) {
                throw new IllegalArgumentException("checks file " + file + ": check " + i + " needs \"sql\" and \"expect\"");
            }
            String name = m.get("name") == null ? "check " + i : String.valueOf(m.get("name"));
            Object expect = m.get("expect");
            out.add(new Check(name, sql, expect == null ? null : String.valueOf(expect),
                    m.get("database") == null ? null : String.valueOf(m.get("database"))));
        }
        return new UserChecks(out);
    }
}
