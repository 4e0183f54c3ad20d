package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A service's OpenAPI description as it serves it at {@code /v3/api-docs}, and a check that a
 * real answer is one it describes: the status is documented for that operation and the body is
 * valid against the documented schema (networknt's validator, OpenAPI 3.1 dialect, with every
 * {@code $ref} resolved in the served document).
 */
final class OpenApiDescription {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String DOCUMENT = "https://track-pipeline.test/v3/api-docs";

    private final JsonNode document;
    private final SchemaRegistry schemas;
    private final Set<String> checked = new TreeSet<>();

    private OpenApiDescription(String text) {
        this.document = JSON.readTree(text);
        this.schemas = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(), builder -> builder.schemas(Map.of(DOCUMENT, text)));
    }

    static OpenApiDescription of(String serviceUrl) throws Exception {
        HttpResponse<String> served = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(serviceUrl + "/v3/api-docs")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(served.statusCode()).isEqualTo(200);
        return parse(served.body());
    }

    static OpenApiDescription parse(String document) {
        return new OpenApiDescription(document);
    }

    JsonNode document() {
        return document;
    }

    /** Every operation, as {@code GET /api/errors/{id}}. */
    Set<String> operations() {
        Set<String> operations = new TreeSet<>();
        document.get("paths").properties().forEach(path -> path.getValue().propertyNames()
                .forEach(method -> operations.add(method.toUpperCase() + " " + path.getKey())));
        return operations;
    }

    /** The operations {@link #assertDescribes} has checked at least one answer of. */
    Set<String> checkedOperations() {
        return checked;
    }

    /** Asserts that the answer to {@code method pathTemplate} has a documented status and a body of the documented shape. */
    void assertDescribes(String method, String pathTemplate, HttpResponse<String> answer) {
        assertDescribes(method, pathTemplate, answer.statusCode(), answer.body());
    }

    void assertDescribes(String method, String pathTemplate, int statusCode, String body) {
        String status = String.valueOf(statusCode);
        JsonNode response = document.path("paths").path(pathTemplate).path(method.toLowerCase()).path("responses").path(status);
        assertThat(response.isMissingNode()).as("%s %s answered %s, which its description does not list: %s", method, pathTemplate,
                status, body).isFalse();
        assertThat(response.path("content").has("application/json")).as("%s %s %s has a JSON body", method, pathTemplate, status).isTrue();
        String pointer = String.join("/", List.of("#", "paths", escape(pathTemplate), method.toLowerCase(), "responses", status,
                "content", escape("application/json"), "schema"));
        Schema schema = schemas.getSchema(SchemaLocation.of(DOCUMENT + pointer));
        List<Error> errors = schema.validate(JSON.readTree(body));
        assertThat(errors).as("%s %s %s: %s", method, pathTemplate, status, body).isEmpty();
        checked.add(method.toUpperCase() + " " + pathTemplate);
    }

    /** JSON Pointer escaping of one reference token. */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
