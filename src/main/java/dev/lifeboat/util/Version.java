package dev.lifeboat.util;

/** The program version, from the jar manifest when packaged. */
public final class Version {
    private Version() {
    }

    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return "lifeboat " + (v == null ? "dev" : v);
    }
}
