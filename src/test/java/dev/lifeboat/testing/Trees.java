package dev.lifeboat.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Builds test file trees and describes them (content hash, mode, mtime, link target) for comparison. */
public final class Trees {
    private Trees() {
    }

    public static void randomTree(Path root, long seed, int files, int maxSize) throws IOException {
        Random r = new Random(seed);
        for (int i = 0; i < files; i++) {
            Path dir = root.resolve("d" + r.nextInt(5)).resolve("e" + r.nextInt(4));
            Files.createDirectories(dir);
            byte[] data = new byte[r.nextInt(maxSize)];
            if (r.nextBoolean()) {
                r.nextBytes(data);
            } else {
                for (int j = 0; j < data.length; j++) {
                    data[j] = (byte) ('a' + (j * 7 + i) % 26);
                }
            }
            Files.write(dir.resolve("f" + i + ".dat"), data);
        }
    }

    /** path → "type mode size mtime sha256|target" for every entry below root. */
    public static Map<String, String> describe(Path root) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty()) {
                    continue;
                }
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                String what;
                if (Files.isSymbolicLink(p)) {
                    what = "link " + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    what = "dir " + Integer.toOctalString(mode) + " " + a.get("lastModifiedTime");
                } else {
                    what = "file " + Integer.toOctalString(mode) + " " + a.get("size") + " " + a.get("lastModifiedTime")
                            + " " + sha256(p);
                }
                out.put(rel, what);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static String sha256(Path p) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every file below root with its bytes' hash: to prove a command changed nothing. */
    public static Map<String, String> fingerprint(Path root) {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(root)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(root.relativize(p).toString(), sha256(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
