package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The check ApiDescriptionIT relies on: it refuses what a description does not say. */
class OpenApiDescriptionTest {

    static final String DESCRIPTION = """
            {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
             "paths": {"/api/things/{id}": {"get": {"responses": {
               "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
               "404": {"description": "missing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}},
             "components": {"schemas": {
               "Thing": {"type": "object", "properties": {"count": {"type": "integer"}, "p75": {"type": ["number", "null"]},
                 "tags": {"type": "array", "items": {"type": "string"}}}},
               "Error": {"type": "object", "properties": {"code": {"type": "integer"}, "message": {"type": "string"}}}}}}
            """;

    final OpenApiDescription api = OpenApiDescription.parse(DESCRIPTION);

    @Test
    void acceptsAnAnswerOfTheDocumentedStatusAndShape() {
        api.assertDescribes("GET", "/api/things/{id}", 200, "{\"count\":3,\"p75\":null,\"tags\":[\"a\"]}");
        api.assertDescribes("GET", "/api/things/{id}", 404, "{\"code\":404,\"message\":\"id: no thing \\\"x\\\"\"}");

        assertThat(api.operations()).containsExactly("GET /api/things/{id}");
        assertThat(api.checkedOperations()).isEqualTo(api.operations());
    }

    @Test
    void refusesAStatusTheDescriptionDoesNotList() {
        assertThatThrownBy(() -> api.assertDescribes("GET", "/api/things/{id}", 500, "{\"code\":500}"))
                .hasMessageContaining("answered 500, which its description does not list");
        assertThat(api.checkedOperations()).isEmpty();
    }

    @Test
    void refusesABodyOfAnotherShape() {
        assertThatThrownBy(() -> api.assertDescribes("GET", "/api/things/{id}", 200, "{\"count\":\"three\",\"tags\":[1]}"))
                .hasMessageContaining("/count").hasMessageContaining("/tags/0");
    }
}
