package dev.trackpipeline.infra;

import java.nio.file.Path;

/**
 * Another JVM claiming ports (for {@link PortClaimsTest}): claims {@code count} ports from the
 * range's start, prints the first, and holds them until its standard input closes.
 */
public final class PortClaimsHolder {

    private PortClaimsHolder() {
    }

    public static void main(String[] args) throws Exception {
        int first = Integer.parseInt(args[1]);
        PortClaims claims = new PortClaims(Path.of(args[0]), first, Integer.parseInt(args[2]), first);
        System.out.println(claims.claim(Integer.parseInt(args[3]), 0));
        System.out.flush();
        while (System.in.read() >= 0) {
            // held until the test closes our input
        }
    }
}
