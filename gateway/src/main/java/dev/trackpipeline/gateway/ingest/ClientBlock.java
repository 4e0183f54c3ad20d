package dev.trackpipeline.gateway.ingest;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Which addresses count as one client for the per-client bounds ({@link RequestsPerClient},
 * {@link ProjectRateLimits}' shares, {@link BodyReadsPerClient}): an IPv4 address alone, an IPv6
 * address by its /64. A single host is routinely given a whole /64 (SLAAC, privacy addresses),
 * so it could send each request from a new address and meet every bound afresh; one /64 is one
 * household or one phone, never several customers. The client hash in Kafka keeps the address.
 */
final class ClientBlock {

    private ClientBlock() {
    }

    /** @param address as {@link jakarta.servlet.ServletRequest#getRemoteAddr()} gives it: an IP literal, never a name */
    static String of(String address) {
        if (address == null || address.indexOf(':') < 0 || !address.chars().allMatch(ClientBlock::literal)) {
            return String.valueOf(address);
        }
        try {
            // only hex digits, colons and dots: parsed as a literal, never looked up; an IPv4-mapped one comes back as IPv4
            InetAddress parsed = InetAddress.getByName(address);
            if (!(parsed instanceof Inet6Address)) {
                return parsed.getHostAddress();
            }
            byte[] bytes = parsed.getAddress();
            StringBuilder block = new StringBuilder(24);
            for (int group = 0; group < 4; group++) {
                block.append(Integer.toHexString((bytes[2 * group] & 0xff) << 8 | bytes[2 * group + 1] & 0xff)).append(':');
            }
            return block.append(":/64").toString();
        } catch (UnknownHostException | IllegalArgumentException notALiteral) {
            return address;
        }
    }

    private static boolean literal(int c) {
        return c == ':' || c == '.' || Character.digit(c, 16) >= 0;
    }
}
