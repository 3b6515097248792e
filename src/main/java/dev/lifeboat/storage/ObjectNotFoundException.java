package dev.lifeboat.storage;

import java.io.IOException;

public class ObjectNotFoundException extends IOException {
    public ObjectNotFoundException(String name) {
        super("object " + name + " does not exist");
    }
}
