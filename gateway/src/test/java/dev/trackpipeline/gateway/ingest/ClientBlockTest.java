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
    void countsAnIpv4AddressWithAPortAsTheAddressAlone() {
        assertThat(ClientBlock.of("198.51.100.7:5678")).isEqualTo("198.51.100.7");
        assertThat(ClientBlock.of("198.51.100.7:5679")).isEqualTo("198.51.100.7");
    }

    @Test
    void countsABracketedIpv6AddressWithOrWithoutAPortByItsSlash64() {
        assertThat(ClientBlock.of("[2001:db8:0:1::1]")).isEqualTo("2001:db8:0:1::/64");
        assertThat(ClientBlock.of("[2001:db8:0:1::2]:443")).isEqualTo("2001:db8:0:1::/64");
    }

    @Test
    void countsAnIpv6AddressWithAZoneIdByItsSlash64() {
        assertThat(ClientBlock.of("fe80::1%eth0")).isEqualTo("fe80:0:0:0::/64");
        assertThat(ClientBlock.of("fe80::2%25")).isEqualTo(ClientBlock.of("fe80::1"));
        assertThat(ClientBlock.of("[fe80::3%eth1]:8080")).isEqualTo(ClientBlock.of("fe80::1"));
    }

    @Test
    void countsANat64AddressAsTheIpv4AddressItStandsFor() {
        assertThat(ClientBlock.of("64:ff9b::198.51.100.7")).isEqualTo("198.51.100.7");
        assertThat(ClientBlock.of("64:ff9b::c633:6408")).isEqualTo("198.51.100.8");
        assertThat(ClientBlock.of("64:ff9b::198.51.100.9")).isNotEqualTo(ClientBlock.of("64:ff9b::198.51.100.7"));
    }

    @Test
    void leavesWhatIsNoAddressAsItIsWithoutLookingItUp() {
        assertThat(ClientBlock.of("not:an-address.example")).isEqualTo("not:an-address.example");
        assertThat(ClientBlock.of("12:34:56")).isEqualTo("12:34:56");
        assertThat(ClientBlock.of("unknown")).isEqualTo("unknown");
        assertThat(ClientBlock.of("١٢:٣٤")).isEqualTo("١٢:٣٤");
        assertThat(ClientBlock.of(null)).isEqualTo("null");
    }
}
