package dev.lifeboat.repository;

/** Process exit codes, documented in the README so scripts can tell failures apart. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int ERROR = 1;
    public static final int USAGE = 2;
    public static final int PARTIAL = 3;
    public static final int NO_REPOSITORY = 10;
    public static final int LOCKED = 11;
    public static final int WRONG_PASSWORD = 12;
    public static final int CHECK_FAILED = 13;

    private ExitCodes() {
    }
}
