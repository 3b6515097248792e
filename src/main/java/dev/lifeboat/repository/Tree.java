package dev.lifeboat.repository;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A directory listing, sorted by name, stored as a JSON tree blob. */
public record Tree(List<Node> nodes) {
    public byte[] toBytes() {
        return TreeCodec.encode(this);
    }

    public static Tree parse(byte[] data, BlobId id) throws IOException {
        try {
            return TreeCodec.decode(data);
        } catch (IOException | RuntimeException e) {
            throw new CorruptObjectException("tree " + id.shortHex(), "is not a valid tree");
        }
    }

    /** Looks nodes up by name: through a map for large trees, where a scan per name would be quadratic. */
    public Function<String, Node> finder() {
        if (nodes.size() <= 16) {
            return this::find;
        }
        Map<String, Node> byName = new HashMap<>(nodes.size() * 2);
        for (Node n : nodes) {
            byName.putIfAbsent(n.name(), n); // the first of equal names, as find() answers
        }
        return byName::get;
    }

    public Node find(String name) {
        for (Node n : nodes) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        return null;
    }
}
