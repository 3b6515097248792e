package dev.lifeboat.repository;

import java.io.IOException;

/** Depth-first walk over a snapshot's trees, loading each subtree once as it is reached. */
public final class TreeWalker {
    /** Receives every node with its path ("/home/u/file"); returns false to skip a directory's contents. */
    @FunctionalInterface
    public interface Visitor {
        boolean visit(String path, Node node) throws IOException;
    }

    private final Repository repo;

    public TreeWalker(Repository repo) {
        this.repo = repo;
    }

    public void walk(String treeId, Visitor visitor) throws IOException {
        walk("", BlobId.parse(treeId), visitor);
    }

    private void walk(String prefix, BlobId treeId, Visitor visitor) throws IOException {
        Tree tree = Trees.load(repo, treeId);
        for (Node n : tree.nodes()) {
            String path = prefix + "/" + n.name();
            if (visitor.visit(path, n) && n.isDir() && n.subtree() != null) {
                walk(path, BlobId.parse(n.subtree()), visitor);
            }
        }
    }

    /** The node at path in the snapshot ("/" is the root, returned as null with found=true). */
    public Node find(String treeId, String path) throws IOException {
        String[] parts = path.replaceAll("^/+|/+$", "").split("/+");
        BlobId cur = BlobId.parse(treeId);
        Node node = null;
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            if (cur == null) {
                return null;
            }
            node = Trees.load(repo, cur).find(part);
            if (node == null) {
                return null;
            }
            cur = node.isDir() && node.subtree() != null ? BlobId.parse(node.subtree()) : null;
        }
        return node;
    }
}
