package dev.lifeboat.repository;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** This machine's host name and user, as recorded in snapshots, locks and keys. */
public final class Hosts {
    private static volatile String hostname;

    private Hosts() {
    }

    public static String hostname() {
        String h = hostname;
        if (h == null) {
            h = System.getenv("LIFEBOAT_HOST");
            if (h == null || h.isBlank()) {
                try {
                    h = Files.readString(Path.of("/etc/hostname")).trim();
                } catch (Exception e) {
                    h = "";
                }
            }
            if (h.isBlank()) {
                try {
                    h = InetAddress.getLocalHost().getHostName();
                } catch (Exception e) {
                    h = "localhost";
                }
            }
            hostname = h;
        }
        return h;
    }

    public static String username() {
        return System.getProperty("user.name", "unknown");
    }
}
