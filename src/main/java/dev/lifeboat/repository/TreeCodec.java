package dev.lifeboat.repository;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.lifeboat.util.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tree blobs (FORMAT.md §7.2) written and read with Jackson's streaming API. A backup writes and
 * reads one tree per directory; through data binding that is reflection-driven code which the JIT
 * compiles at length on every run. The bytes are those data binding wrote (same generator, field
 * order and omitted nulls, and the derived "file"/"dir" flags), so tree ids stay the same.
 */
final class TreeCodec {
    private static final JsonFactory FACTORY = Json.MAPPER.getFactory();

    private TreeCodec() {
    }

    static byte[] encode(Tree tree) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + tree.nodes().size() * 256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("nodes");
            g.writeStartArray();
            for (Node n : tree.nodes()) {
                writeNode(g, n);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        }
        return out.toByteArray();
    }

    private static void writeNode(JsonGenerator g, Node n) throws IOException {
        g.writeStartObject();
        string(g, "name", n.name());
        string(g, "type", n.type());
        g.writeNumberField("mode", n.mode());
        number(g, "mtime", n.mtime());
        number(g, "ctime", n.ctime());
        number(g, "uid", n.uid());
        number(g, "gid", n.gid());
        string(g, "user", n.user());
        string(g, "group", n.group());
        number(g, "inode", n.inode());
        number(g, "device", n.device());
        number(g, "links", n.links());
        number(g, "size", n.size());
        string(g, "target", n.target());
        if (n.content() != null) {
            g.writeFieldName("content");
            g.writeStartArray();
            for (String id : n.content()) {
                g.writeString(id);
            }
            g.writeEndArray();
        }
        string(g, "subtree", n.subtree());
        if (n.object() != null) {
            Node.ObjectAttrs o = n.object();
            g.writeFieldName("object");
            g.writeStartObject();
            string(g, "key", o.key());
            string(g, "etag", o.etag());
            string(g, "contentType", o.contentType());
            if (o.metadata() != null) {
                g.writeFieldName("metadata");
                g.writeStartObject();
                for (Map.Entry<String, String> e : o.metadata().entrySet()) {
                    g.writeFieldName(e.getKey());
                    if (e.getValue() == null) {
                        g.writeNull();
                    } else {
                        g.writeString(e.getValue());
                    }
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        g.writeBooleanField("file", n.isFile());
        g.writeBooleanField("dir", n.isDir());
        g.writeEndObject();
    }

    private static void string(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }

    private static void number(JsonGenerator g, String field, Number value) throws IOException {
        if (value != null) {
            g.writeNumberField(field, value.longValue());
        }
    }

    /** Reads a tree; unknown fields are skipped (as data binding did), anything malformed throws. */
    static Tree decode(byte[] data) throws IOException {
        try (JsonParser p = FACTORY.createParser(data)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            List<Node> nodes = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("nodes") && t == JsonToken.START_ARRAY) {
                    nodes = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        nodes.add(readNode(p));
                    }
                } else if (field.equals("nodes") && t == JsonToken.VALUE_NULL) {
                    nodes = null;
                } else if (field.equals("nodes")) {
                    throw new IOException("nodes is not an array");
                } else {
                    p.skipChildren();
                }
            }
            expect(p.currentToken(), JsonToken.END_OBJECT);
            if (p.nextToken() != null) {
                throw new IOException("trailing data after the tree");
            }
            return new Tree(nodes);
        }
    }

    private static Node readNode(JsonParser p) throws IOException {
        expect(p.currentToken(), JsonToken.START_OBJECT);
        String name = null, type = null, user = null, group = null, target = null, subtree = null;
        int mode = 0;
        Long mtime = null, ctime = null, inode = null, device = null, size = null;
        Integer uid = null, gid = null, links = null;
        List<String> content = null;
        Node.ObjectAttrs object = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "name" -> name = text(p);
                case "type" -> type = text(p);
                case "mode" -> mode = p.currentToken() == JsonToken.VALUE_NULL ? 0 : p.getIntValue();
                case "mtime" -> mtime = longOrNull(p);
                case "ctime" -> ctime = longOrNull(p);
                case "uid" -> uid = intOrNull(p);
                case "gid" -> gid = intOrNull(p);
                case "user" -> user = text(p);
                case "group" -> group = text(p);
                case "inode" -> inode = longOrNull(p);
                case "device" -> device = longOrNull(p);
                case "links" -> links = intOrNull(p);
                case "size" -> size = longOrNull(p);
                case "target" -> target = text(p);
                case "content" -> content = strings(p);
                case "subtree" -> subtree = text(p);
                case "object" -> object = readObject(p);
                default -> p.skipChildren();
            }
        }
        expect(p.currentToken(), JsonToken.END_OBJECT);
        return new Node(name, type, mode, mtime, ctime, uid, gid, user, group, inode, device, links, size, target,
                content, subtree, object);
    }

    private static Node.ObjectAttrs readObject(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p.currentToken(), JsonToken.START_OBJECT);
        String key = null, etag = null, contentType = null;
        Map<String, String> metadata = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "key" -> key = text(p);
                case "etag" -> etag = text(p);
                case "contentType" -> contentType = text(p);
                case "metadata" -> {
                    if (p.currentToken() != JsonToken.VALUE_NULL) {
                        expect(p.currentToken(), JsonToken.START_OBJECT);
                        metadata = new LinkedHashMap<>();
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String k = p.currentName();
                            p.nextToken();
                            metadata.put(k, text(p));
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new Node.ObjectAttrs(key, etag, contentType, metadata);
    }

    private static List<String> strings(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p.currentToken(), JsonToken.START_ARRAY);
        List<String> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            out.add(text(p));
        }
        return out;
    }

    private static String text(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new IOException("expected a string, found " + t);
        }
        return p.getText();
    }

    private static Long longOrNull(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : p.getLongValue();
    }

    private static Integer intOrNull(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : p.getIntValue();
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + ", found " + actual);
        }
    }
}
