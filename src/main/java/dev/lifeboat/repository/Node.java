package dev.lifeboat.repository;

import java.util.List;

/**
 * One directory entry in a tree. Times are nanoseconds since the epoch. Regular files list their
 * content blobs in order; directories name their subtree; hard links are recorded as the same
 * (device, inode) with links &gt; 1 and restored as links. Files that came from an object store
 * carry the object's own attributes in {@code object}.
 */
public record Node(String name, String type, int mode, Long mtime, Long ctime, Integer uid, Integer gid,
                   String user, String group, Long inode, Long device, Integer links, Long size,
                   String target, List<String> content, String subtree, ObjectAttrs object) {

    /** What an object store knows about an object beyond its bytes. */
    public record ObjectAttrs(String key, String etag, String contentType, java.util.Map<String, String> metadata) {
    }

    public Node {
        // Every entry of a tree repeats these few values; one copy each keeps large trees small in memory.
        type = type == null ? null : type.intern();
        user = user == null ? null : user.intern();
        group = group == null ? null : group.intern();
    }

    public Node(String name, String type, int mode, Long mtime, Long ctime, Integer uid, Integer gid,
                String user, String group, Long inode, Long device, Integer links, Long size,
                String target, List<String> content, String subtree) {
        this(name, type, mode, mtime, ctime, uid, gid, user, group, inode, device, links, size, target, content,
                subtree, null);
    }
    public static final String FILE = "file";
    public static final String DIR = "dir";
    public static final String SYMLINK = "symlink";
    public static final String FIFO = "fifo";
    public static final String CHARDEV = "chardev";
    public static final String BLOCKDEV = "blockdev";
    public static final String SOCKET = "socket";

    public boolean isFile() {
        return FILE.equals(type);
    }

    public boolean isDir() {
        return DIR.equals(type);
    }

    public long sizeOr0() {
        return size == null ? 0 : size;
    }

    public Node withContent(List<String> newContent, long newSize) {
        return new Node(name, type, mode, mtime, ctime, uid, gid, user, group, inode, device, links, newSize,
                target, newContent, subtree, object);
    }

    public Node withSubtree(String tree) {
        return new Node(name, type, mode, mtime, ctime, uid, gid, user, group, inode, device, links, size,
                target, content, tree, object);
    }
}
