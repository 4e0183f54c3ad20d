package dev.trackpipeline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One host is given a whole IPv6 /64, so the per-client bounds count a /64 as one client. */
class ClientBlockTest {

    @Test
    void countsAnIpv4AddressAlone() {
        assertThat(ClientBlock.of("198.51.100.7")).isEqualTo("198.51.100.7");
        assertThat(ClientBlock.of("198.51.100.8")).isNotEqualTo(ClientBlock.of("198.51.100.7"));
    }

    @Test
    void countsEveryAddressOfAnIpv6Slash64AsOneClientHoweverItIsWritten() {
        String tomcats = ClientBlock.of("2001:db8:0:1:0:0:0:1");

        assertThat(tomcats).isEqualTo("2001:db8:0:1::/64");
        assertThat(ClientBlock.of("2001:db8:0:1:8a2e:370:7334:abcd")).isEqualTo(tomcats);
        assertThat(ClientBlock.of("2001:DB8::1:ffff:0:0:5")).isEqualTo(tomcats);
        assertThat(ClientBlock.of("2001:db8:0:2::1")).isNotEqualTo(tomcats);
    }

    @Test
    void countsAnIpv4MappedAddressAsTheIpv4AddressItIs() {
        assertThat(ClientBlock.of("::ffff:198.51.100.7")).isEqualTo("198.51.100.7");
    }

    @Test
    void leavesWhatIsNoAddressAsItIsWithoutLookingItUp() {
        assertThat(ClientBlock.of("not:an-address.example")).isEqualTo("not:an-address.example");
        assertThat(ClientBlock.of("12:34:56")).isEqualTo("12:34:56");
        assertThat(ClientBlock.of("unknown")).isEqualTo("unknown");
        assertThat(ClientBlock.of(null)).isEqualTo("null");
    }
}
