package dev.trackpipeline.model.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllowedOriginsTest {

    @Test
    void allowsAnExactOriginWithOrWithoutItsDefaultPort() {
        AllowedOrigins origins = new AllowedOrigins(List.of("https://shop.example", "http://127.0.0.1:8080"));

        assertThat(origins.allows("https://shop.example")).isTrue();
        assertThat(origins.allows("https://shop.example:443")).isTrue();
        assertThat(origins.allows("HTTPS://SHOP.EXAMPLE")).isTrue();
        assertThat(origins.allows("http://127.0.0.1:8080")).isTrue();
        assertThat(origins.allows("http://shop.example")).isFalse();
        assertThat(origins.allows("https://shop.example:8443")).isFalse();
        assertThat(origins.allows("http://127.0.0.1:8081")).isFalse();
        assertThat(origins.allows(null)).isFalse();
    }

    @Test
    void allowsEverySubdomainOfAWildcardButNotTheDomainItselfNorALookAlike() {
        AllowedOrigins origins = new AllowedOrigins(List.of("https://*.shop.example"));

        assertThat(origins.allows("https://www.shop.example")).isTrue();
        assertThat(origins.allows("https://a.b.shop.example")).isTrue();
        assertThat(origins.allows("https://shop.example")).isFalse();
        assertThat(origins.allows("https://evilshop.example")).isFalse();
        assertThat(origins.allows("https://www.shop.example.evil.test")).isFalse();
        assertThat(origins.allows("http://www.shop.example")).isFalse();
        assertThat(origins.allows("https://x/.shop.example")).isFalse();
    }

    /** Real projects run in apps, extensions and sandboxed frames too: a projects file listing them must still load. */
    @Test
    void takesTheOriginsOfAppsExtensionsAndSandboxedFrames() {
        AllowedOrigins origins = new AllowedOrigins(List.of("capacitor://localhost", "chrome-extension://abcdefghijklmnop", "null",
                "https://my_host.internal:8443"));

        assertThat(origins.allows("capacitor://localhost")).isTrue();
        assertThat(origins.allows("chrome-extension://abcdefghijklmnop")).isTrue();
        assertThat(origins.allows("null")).isTrue();
        assertThat(origins.allows("https://my_host.internal:8443")).isTrue();
        assertThat(origins.allows("https://other.internal")).isFalse();
    }

    @Test
    void allowsAnyOriginWithAStar() {
        assertThat(new AllowedOrigins(List.of("*")).allows("https://anything.test:1234")).isTrue();
        assertThat(new AllowedOrigins(List.of()).allows("https://shop.example")).isFalse();
    }

    @Test
    void refusesAnEntryThatIsNoOriginSayingWhatAnOriginLooksLike() {
        for (String notAnOrigin : List.of("https://shop.example/", "https://shop.example/app", "shop.example", "https://*shop.example",
                "https://shop.*.example", "https://shop.example?x", "")) {
            assertThatThrownBy(() -> new AllowedOrigins(List.of(notAnOrigin))).as(notAnOrigin)
                    .hasMessage("allowedOrigins: \"" + notAnOrigin + "\" is not an origin: expected scheme://host[:port] without a "
                            + "path or a trailing slash (https://shop.example), every subdomain (https://*.shop.example), \"null\" or \"*\"");
        }
    }
}
