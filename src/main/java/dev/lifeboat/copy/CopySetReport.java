package dev.lifeboat.copy;

import java.util.List;

/** What "copies check" found: which snapshot is in which repository, and the 3-2-1 rule per group. */
public record CopySetReport(CopySet set, List<Row> rows, List<Group> groups) {
    /** One distinct snapshot; present.get(i) tells whether repository i of the set holds it. */
    public record Row(Copies.Key key, List<Boolean> present) {
    }

    /** One rule for one group: name is copies, media or offsite. */
    public record Rule(String name, String description, boolean pass, String actual) {
    }

    /** The newest snapshot of one (host, paths) group and how well it is kept. */
    public record Group(Copies.Key newest, int copies, List<String> media, int offsite, List<String> repositories,
                        List<Rule> rules) {
        public boolean ok() {
            return rules.stream().allMatch(Rule::pass);
        }
    }

    /** True when every group passes every rule (and there is at least one snapshot). */
    public boolean ok() {
        return !groups.isEmpty() && groups.stream().allMatch(Group::ok);
    }
}
