package dev.lifeboat.storage;

/** A stored object's name and size in bytes. */
public record ObjectInfo(String name, long size) {
}
