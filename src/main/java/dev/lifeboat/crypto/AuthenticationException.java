package dev.lifeboat.crypto;

import java.io.IOException;

/** Ciphertext did not authenticate: corrupt data or a wrong key. */
public class AuthenticationException extends IOException {
    public AuthenticationException(String message) {
        super(message);
    }
}
