package dev.lifeboat.repository;

import dev.lifeboat.util.Json;

import java.io.IOException;
import java.util.List;

/** A directory listing, sorted by name, stored as a JSON tree blob. */
public record Tree(List<Node> nodes) {
    public byte[] toBytes() {
        return Json.write(this);
    }

    public static Tree parse(byte[] data, BlobId id) throws IOException {
        try {
            return Json.read(data, Tree.class);
        } catch (IOException e) {
            throw new CorruptObjectException("tree " + id.shortHex(), "is not a valid tree");
        }
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
