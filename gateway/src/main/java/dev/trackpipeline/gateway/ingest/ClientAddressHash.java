package dev.trackpipeline.gateway.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A salted hash of the client address: tells clients apart for abuse analysis without storing who they are. */
final class ClientAddressHash {

    private final byte[] salt;

    ClientAddressHash(String salt) {
        this.salt = salt.getBytes(StandardCharsets.UTF_8);
    }

    String of(String address) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(salt);
            digest.update(String.valueOf(address).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
