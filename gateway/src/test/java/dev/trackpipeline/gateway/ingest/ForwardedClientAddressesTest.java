package dev.trackpipeline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class ForwardedClientAddressesTest {

    @Test
    void refusesToStartWithForwardedHeadersBelievedFromAnyClient() {
        MockEnvironment framework = new MockEnvironment().withProperty("server.forward-headers-strategy", "FRAMEWORK");

        assertThatThrownBy(() -> new ForwardedClientAddresses(framework))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("server.forward-headers-strategy: framework believes X-Forwarded-For from any client");
    }

    @Test
    void startsWithThePeersAddressOrTomcatsTrustedProxies() {
        assertThatCode(() -> new ForwardedClientAddresses(new MockEnvironment().withProperty("server.forward-headers-strategy", "none")))
                .doesNotThrowAnyException();
        assertThatCode(() -> new ForwardedClientAddresses(new MockEnvironment().withProperty("server.forward-headers-strategy", "native")))
                .doesNotThrowAnyException();
        assertThatCode(() -> new ForwardedClientAddresses(new MockEnvironment())).doesNotThrowAnyException();
    }
}
