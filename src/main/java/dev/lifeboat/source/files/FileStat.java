package dev.lifeboat.source.files;

import dev.lifeboat.repository.Node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** One lstat of a file, with the fields a tree node records. */
public record FileStat(String type, int mode, long mtime, long ctime, int uid, int gid, long inode, long device,
                       int links, long size) {
    private static final String ATTRS = "unix:mode,ino,dev,nlink,uid,gid,ctime,size,lastModifiedTime";
    private static final Map<Integer, String> USERS = new ConcurrentHashMap<>();
    private static final Map<Integer, String> GROUPS = new ConcurrentHashMap<>();

    public static FileStat of(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, ATTRS, LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        FileStat s = new FileStat(typeOf(mode), mode & 07777, nanos((FileTime) a.get("lastModifiedTime")),
                nanos((FileTime) a.get("ctime")), (Integer) a.get("uid"), (Integer) a.get("gid"),
                (Long) a.get("ino"), (Long) a.get("dev"), (Integer) a.get("nlink"), (Long) a.get("size"));
        return s;
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    static String typeOf(int mode) {
        return switch (mode & 0170000) {
            case 0040000 -> Node.DIR;
            case 0100000 -> Node.FILE;
            case 0120000 -> Node.SYMLINK;
            case 0010000 -> Node.FIFO;
            case 0020000 -> Node.CHARDEV;
            case 0060000 -> Node.BLOCKDEV;
            case 0140000 -> Node.SOCKET;
            default -> "unknown";
        };
    }

    /** Names are looked up once per id; the lookup goes through the file that first shows the id. */
    String user(Path p) {
        return USERS.computeIfAbsent(uid, u -> {
            try {
                UserPrincipal owner = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).owner();
                return owner.getName();
            } catch (IOException | UnsupportedOperationException e) {
                return String.valueOf(u);
            }
        });
    }

    String group(Path p) {
        return GROUPS.computeIfAbsent(gid, g -> {
            try {
                GroupPrincipal group = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).group();
                return group.getName();
            } catch (IOException | UnsupportedOperationException e) {
                return String.valueOf(g);
            }
        });
    }

    Node toNode(String name, Path p, Long size, String target) {
        return new Node(name, type, mode, mtime, ctime, uid, gid, user(p), group(p), inode, device,
                links, size, target, null, null);
    }

    /** Same content as far as metadata can tell (restic's rule: size, mtime, ctime and inode). */
    boolean unchangedSince(Node old) {
        return old != null && old.isFile() && old.size() != null && old.size() == size
                && old.mtime() != null && old.mtime() == mtime && old.ctime() != null && old.ctime() == ctime
                && old.inode() != null && old.inode() == inode && old.content() != null;
    }
}
