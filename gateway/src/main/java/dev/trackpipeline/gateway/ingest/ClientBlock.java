package dev.trackpipeline.gateway.ingest;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which addresses count as one client for the per-client bounds ({@link RequestsPerClient},
 * {@link ProjectRateLimits}' shares, {@link BodyReadsPerClient}): an IPv4 address alone, an IPv6
 * address by its /64. A single host is routinely given a whole /64 (SLAAC, privacy addresses),
 * so it could send each request from a new address and meet every bound afresh; one /64 is one
 * household or one phone, never several customers. The client hash in Kafka keeps the address.
 *
 * <p>Behind a trusted proxy the address is whatever the proxy wrote in X-Forwarded-For, which
 * RemoteIpValve passes on as it is. Some proxies write a port ({@code 198.51.100.7:5678},
 * {@code [2001:db8::1]:443}), brackets or a zone id ({@code fe80::1%eth0}): these are taken off, or
 * every source port would be a new client. A NAT64 address ({@code 64:ff9b::/96}) is the IPv4
 * host it stands for: every IPv4 client of a NAT64 gateway would otherwise be one /64.
 */
final class ClientBlock {

    private static final Pattern IPV4_WITH_PORT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3}):\\d{1,5}");
    private static final Pattern BRACKETED = Pattern.compile("\\[([^\\]]*)](?::\\d{1,5})?");
    /** The well-known NAT64 prefix (RFC 6052), whose last 32 bits are the IPv4 address. */
    private static final byte[] NAT64_PREFIX = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

    private ClientBlock() {
    }

    /** @param address as {@link jakarta.servlet.ServletRequest#getRemoteAddr()} gives it: an IP literal, never a name */
    static String of(String address) {
        if (address == null) {
            return "null";
        }
        String literal = withoutPortBracketsOrZone(address.trim());
        if (literal.indexOf(':') < 0 || !literal.chars().allMatch(ClientBlock::literal)) {
            return literal;
        }
        try {
            // only hex digits, colons and dots, with a colon: parsed as an IPv6 literal, never looked up;
            // an IPv4-mapped one comes back as IPv4
            InetAddress parsed = InetAddress.getByName(literal);
            if (!(parsed instanceof Inet6Address)) {
                return parsed.getHostAddress();
            }
            byte[] bytes = parsed.getAddress();
            if (Arrays.equals(bytes, 0, NAT64_PREFIX.length, NAT64_PREFIX, 0, NAT64_PREFIX.length)) {
                return (bytes[12] & 0xff) + "." + (bytes[13] & 0xff) + "." + (bytes[14] & 0xff) + "." + (bytes[15] & 0xff);
            }
            StringBuilder block = new StringBuilder(24);
            for (int group = 0; group < 4; group++) {
                block.append(Integer.toHexString((bytes[2 * group] & 0xff) << 8 | bytes[2 * group + 1] & 0xff)).append(':');
            }
            return block.append(":/64").toString();
        } catch (UnknownHostException | IllegalArgumentException notALiteral) {
            return literal;
        }
    }

    private static String withoutPortBracketsOrZone(String address) {
        Matcher ipv4 = IPV4_WITH_PORT.matcher(address);
        if (ipv4.matches()) {
            return ipv4.group(1);
        }
        Matcher bracketed = BRACKETED.matcher(address);
        String bare = bracketed.matches() ? bracketed.group(1) : address;
        int zone = bare.indexOf('%');
        return zone >= 0 && bare.indexOf(':') >= 0 ? bare.substring(0, zone) : bare;
    }

    private static boolean literal(int c) {
        // ASCII only: Character.digit also takes other scripts' digits, which are no part of a literal
        return c == ':' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
