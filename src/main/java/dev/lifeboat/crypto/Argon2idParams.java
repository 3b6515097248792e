package dev.lifeboat.crypto;

/** Parameters of the passphrase KDF, stored in each key file so they can change over time. */
public record Argon2idParams(int memoryKiB, int iterations, int parallelism) {
    /**
     * OWASP rates Argon2id settings by memory times passes (46 MiB x 1 = 19 MiB x 2 = ... as its
     * minimum); 32 MiB x 6 is four times that, as slow as 64 MiB x 3, and needs the memory restic's
     * scrypt needs (N=2^15, r=8). With 64 MiB every command's peak memory was the KDF's: a JVM
     * holding 64 MiB of Argon2 blocks stood 26 MiB above one holding 32 MiB. Two lanes, filled by
     * two threads (RFC 9106 recommends four; the cost to an attacker is memory times passes either
     * way): a derivation at the start of a command took 0.21-0.23 s instead of 0.24-0.25 s with one.
     */
    public static final Argon2idParams DEFAULT = new Argon2idParams(32 * 1024, 6, 2);

    public Argon2idParams {
        if (memoryKiB < 8 * parallelism || iterations < 1 || parallelism < 1) {
            throw new IllegalArgumentException("invalid Argon2id parameters m=" + memoryKiB
                    + "KiB t=" + iterations + " p=" + parallelism);
        }
    }

    /** Lets tests and constrained machines choose cheaper parameters: "m=KiB,t=N,p=N". */
    public static Argon2idParams parse(String spec) {
        int m = DEFAULT.memoryKiB, t = DEFAULT.iterations, p = DEFAULT.parallelism;
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("invalid KDF parameters \"" + spec + "\": expected m=KiB,t=N,p=N");
            }
            int v;
            try {
                v = Integer.parseInt(kv[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid KDF parameters \"" + spec + "\": expected m=KiB,t=N,p=N");
            }
            switch (kv[0].trim()) {
                case "m" -> m = v;
                case "t" -> t = v;
                case "p" -> p = v;
                default -> throw new IllegalArgumentException("invalid KDF parameter \"" + kv[0] + "\": expected m, t or p");
            }
        }
        return new Argon2idParams(m, t, p);
    }
}
