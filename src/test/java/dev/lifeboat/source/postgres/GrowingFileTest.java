package dev.lifeboat.source.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GrowingFileTest {
    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void endOfCopyDataIsRecognisedAndTruncationIsNot() {
        assertEquals(3, GrowingFile.endOfCopyData(b("\\.\n\n\n")));
        assertEquals(3, GrowingFile.endOfCopyData(b("1\tx\n\\.\n\n\n")));
        assertEquals(1, GrowingFile.endOfCopyData(b("1\tx\n\\.\n")));
        assertEquals(-1, GrowingFile.endOfCopyData(b("1\tx\n2\ty\n")), "cut after a row");
        assertEquals(-1, GrowingFile.endOfCopyData(b("1\tx\n2\ty")), "cut inside a row");
        assertEquals(-1, GrowingFile.endOfCopyData(b("1\ta\\\\.\n")), "an escaped backslash and dot at the end of a value");
        assertEquals(-1, GrowingFile.endOfCopyData(b("")));
    }

    @Test
    void countsLinesAndKeepsTheTailOfAFinishedFile() throws Exception {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            rows.append(i).append("\tvalue with \\n escaped newline ").append(i).append('\n');
        }
        rows.append("\\.\n\n\n");
        Path f = tmp.resolve("1.dat");
        Files.writeString(f, rows);
        AtomicLong consumed = new AtomicLong();
        try (GrowingFile in = new GrowingFile(f, () -> true, () -> false, consumed, 1 << 20)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[7777];
            for (int n; (n = in.read(buf, 0, buf.length)) > 0; ) {
                out.write(buf, 0, n);
            }
            assertEquals(100_003, in.newlines());
            assertEquals(Files.size(f), consumed.get());
            assertArrayEquals(b("d newline 99999\n\\.\n\n\n".substring(5)), in.tail());
            assertEquals(3, GrowingFile.endOfCopyData(in.tail()));
        }
    }
}
