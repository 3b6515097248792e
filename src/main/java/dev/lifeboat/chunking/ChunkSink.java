package dev.lifeboat.chunking;

import java.io.IOException;

/** Receives chunks; the bytes are valid only during the call (the buffer is reused). */
@FunctionalInterface
public interface ChunkSink {
    void accept(byte[] buf, int off, int len) throws IOException;
}
