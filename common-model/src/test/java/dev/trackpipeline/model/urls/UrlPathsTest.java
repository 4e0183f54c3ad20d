package dev.trackpipeline.model.urls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlPathsTest {

    @Test
    void anEndpointIsItsPathWithIdsMasked() {
        assertThat(UrlPaths.path("http://127.0.0.1:8080/api/users/42/orders/9f8e7d6c5b4a39281716?x=1#top"))
                .isEqualTo("/api/users/:id/orders/:id");
        assertThat(UrlPaths.path("/api/orders/987654")).isEqualTo("/api/orders/:id");
    }

    @Test
    void aPageIsItsPathPlusAHashRouterRouteWithoutHostOrQuery() {
        assertThat(UrlPaths.page("http://127.0.0.1:8080/shop/")).isEqualTo("/shop/");
        assertThat(UrlPaths.page("http://127.0.0.1:8081/shop/")).isEqualTo("/shop/");
        assertThat(UrlPaths.page("http://127.0.0.1:8080/admin/users?role=staff")).isEqualTo("/admin/users");
        assertThat(UrlPaths.page("http://127.0.0.1:8080/admin/#/settings")).isEqualTo("/admin/#/settings");
        assertThat(UrlPaths.page("http://127.0.0.1:8080/shop/products?page=1#/cart")).isEqualTo("/shop/products#/cart");
        assertThat(UrlPaths.page("http://127.0.0.1:8080/gallery/page/2")).isEqualTo("/gallery/page/:id");
        assertThat(UrlPaths.page("http://127.0.0.1:8080/reports/#top")).isEqualTo("/reports/");
        assertThat(UrlPaths.page("http://127.0.0.1:8080")).isEqualTo("/");
    }

    @Test
    void aPageKeyHasABoundedLength() {
        assertThat(UrlPaths.page("http://x/" + "page-".repeat(1_000))).hasSize(UrlPaths.MAX_PAGE_LENGTH);
    }
}
