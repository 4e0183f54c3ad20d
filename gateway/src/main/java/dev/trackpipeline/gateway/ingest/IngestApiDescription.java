package dev.trackpipeline.gateway.ingest;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

/**
 * The ingest endpoint's OpenAPI description. The controller reads the body itself (gzip, either
 * content type, a single event or an array), so the body and the answers are described here,
 * once for the POST and the image-beacon GET.
 */
@Component
class IngestApiDescription implements OpenApiCustomizer {

    private record Answer(String status, String meaning) {
    }

    private static final List<Answer> ANSWERS = List.of(
            new Answer("202", "Kafka holds every accepted event; rejected lists the others with a reason each."),
            new Answer("400", "No event accepted: the body is not JSON, or every event is invalid."),
            new Answer("403", "Every event is for an unknown apikey or from an origin its project does not allow."),
            new Answer("408", "The body was not all received within the body-read timeout; nothing accepted, the connection is closed."),
            new Answer("413", "The body, its gzip-decompressed size or its number of events is over the limit."),
            new Answer("415", "A content type other than JSON or text, or an encoding other than gzip."),
            new Answer("429", "Every event is over its project's rate limit or over the client's share of it, or the client's address"
                    + " sent more requests than one address may (refused unread, the connection closed); Retry-After says when"
                    + " the next one fits."),
            new Answer("503", "Kafka did not acknowledge in time, or too many events wait for it, or too many bodies are being parsed,"
                    + " or too many are being read from the client's address; nothing accepted. Retry after Retry-After."));

    @Override
    public void customise(OpenAPI openApi) {
        var path = openApi.getPaths() == null ? null : openApi.getPaths().get("/reportData");
        if (path == null) {
            return;
        }
        describe(path.getPost(), "Report events", "One web-see event or an array of up to 500, as JSON or text/plain "
                + "(what sendBeacon sends), optionally gzip-encoded.");
        describe(path.getGet(), "Report events by image beacon", "The SDK's useImgUpload transport: the event as JSON in the data parameter.");
        if (path.getPost() != null) {
            Schema<?> events = new Schema<>().description("A web-see event object (type, apikey, uuid, time, pageUrl and the type's "
                    + "own fields) or an array of them.");
            path.getPost().requestBody(new RequestBody().required(true).content(new Content()
                    .addMediaType("application/json", new MediaType().schema(events))
                    .addMediaType("text/plain", new MediaType().schema(events))));
        }
    }

    private static void describe(Operation operation, String summary, String description) {
        if (operation == null) {
            return;
        }
        operation.summary(summary).description(description);
        ApiResponses responses = new ApiResponses();
        ANSWERS.forEach(answer -> responses.addApiResponse(answer.status(), new ApiResponse().description(answer.meaning()).content(
                new Content().addMediaType("application/json",
                        new MediaType().schema(new Schema<>().$ref("#/components/schemas/IngestResponse"))))));
        operation.setResponses(responses);
    }
}
