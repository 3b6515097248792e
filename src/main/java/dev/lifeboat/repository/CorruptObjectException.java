package dev.lifeboat.repository;

import java.io.IOException;

/** A stored object failed verification; the message names it. */
public class CorruptObjectException extends IOException {
    private final String objectName;

    public CorruptObjectException(String objectName, String problem) {
        super(objectName + " " + problem);
        this.objectName = objectName;
    }

    public String objectName() {
        return objectName;
    }
}
