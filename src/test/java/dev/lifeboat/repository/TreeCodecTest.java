package dev.lifeboat.repository;

import dev.lifeboat.util.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TreeCodecTest {
    private static final String[] TYPES = {Node.FILE, Node.DIR, Node.SYMLINK, Node.FIFO, Node.CHARDEV, Node.SOCKET};

    static String text(Random r) {
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(6);
            b.append(switch (kind) {
                case 0 -> (char) r.nextInt(0x20);          // control characters get escaped
                case 1 -> '"';
                case 2 -> '\\';
                case 3 -> (char) (0xa0 + r.nextInt(0x2000)); // beyond ASCII
                case 4 -> "\ud83d\ude00";                    // a surrogate pair
                default -> (char) ('a' + r.nextInt(26));
            });
        }
        return b.toString();
    }

    static <T> T maybe(Random r, T value) {
        return r.nextInt(4) == 0 ? null : value;
    }

    static Node randomNode(Random r) {
        List<String> content = null;
        if (r.nextBoolean()) {
            content = new ArrayList<>();
            for (int i = r.nextInt(4); i > 0; i--) {
                content.add(Long.toHexString(r.nextLong()));
            }
        }
        Node.ObjectAttrs object = null;
        if (r.nextInt(3) == 0) {
            Map<String, String> meta = r.nextBoolean() ? null : r.nextBoolean() ? new TreeMap<>() : new HashMap<>();
            if (meta != null) {
                for (int i = r.nextInt(4); i > 0; i--) {
                    meta.put(text(r), text(r));
                }
            }
            object = new Node.ObjectAttrs(maybe(r, text(r)), maybe(r, text(r)), maybe(r, text(r)), meta);
        }
        return new Node(text(r), maybe(r, TYPES[r.nextInt(TYPES.length)]), r.nextInt(07777 + 1),
                maybe(r, r.nextLong()), maybe(r, r.nextLong()), maybe(r, r.nextInt()), maybe(r, r.nextInt()),
                maybe(r, text(r)), maybe(r, text(r)), maybe(r, r.nextLong()), maybe(r, r.nextLong()),
                maybe(r, r.nextInt(5)), maybe(r, (long) r.nextInt(Integer.MAX_VALUE)), maybe(r, text(r)), content,
                maybe(r, Long.toHexString(r.nextLong())), object);
    }

    @Test
    void writesTheBytesDataBindingWroteAndReadsThemBack() throws Exception {
        Random r = new Random(42);
        for (int t = 0; t < 300; t++) {
            List<Node> nodes = new ArrayList<>();
            for (int i = r.nextInt(20); i > 0; i--) {
                nodes.add(randomNode(r));
            }
            Tree tree = new Tree(nodes);
            byte[] bytes = tree.toBytes();
            assertArrayEquals(Json.write(tree), bytes, "tree ids of earlier versions must not change");
            assertEquals(tree, Tree.parse(bytes, null));
            assertEquals(Json.read(bytes, Tree.class), Tree.parse(bytes, null));
        }
    }

    @Test
    void skipsUnknownFieldsAndRejectsMalformedTrees() throws Exception {
        Tree t = Tree.parse(("{\"future\":{\"a\":[1,2]},\"nodes\":[{\"name\":\"x\",\"type\":\"file\",\"mode\":420,"
                + "\"xattrs\":{\"user.a\":\"b\"},\"size\":null,\"file\":true,\"dir\":false}]}").getBytes(StandardCharsets.UTF_8), null);
        assertEquals(List.of(new Node("x", "file", 420, null, null, null, null, null, null, null, null, null, null,
                null, null, null)), t.nodes());
        for (String bad : new String[]{"", "[]", "{\"nodes\":[{\"name\":1}]}", "{\"nodes\":[{\"name\":\"x\"}]} {}",
                "{\"nodes\":{}}", "{\"nodes\":[{\"name\":\"x\",\"size\":\"big\"}]}", "{\"nodes\":[{\"name\":\"x\""}) {
            assertThrows(CorruptObjectException.class, () -> Tree.parse(bad.getBytes(StandardCharsets.UTF_8), BlobId.of(new byte[32])),
                    bad);
        }
    }
}
