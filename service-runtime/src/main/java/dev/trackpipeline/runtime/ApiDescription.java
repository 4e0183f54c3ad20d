package dev.trackpipeline.runtime;

import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

/**
 * What every read API shares, written once into each service's OpenAPI description
 * ({@code /v3/api-docs}): the Bearer read token, the error envelope and its statuses, and the
 * meaning of the parameters every endpoint takes.
 */
@Component
public class ApiDescription implements OpenApiCustomizer {

    static final String READ_TOKEN = "readToken";
    static final String ERROR_SCHEMA = "ApiError";

    private static final Map<String, String> COMMON_PARAMETERS = Map.of(
            "apikey", "The project, as the SDK's apikey names it.",
            "window", "How far back from now: a duration such as 15m, 1h, 24h or 7d (at most 30d).",
            "limit", "How many entries at most.",
            "page", "Page number, from 1.",
            "pageSize", "Entries per page.",
            "startTime", "Earliest event time, epoch milliseconds (the SDK's time field).",
            "endTime", "Latest event time, epoch milliseconds.");

    @Override
    public void customise(io.swagger.v3.oas.models.OpenAPI openApi) {
        Components components = openApi.getComponents() == null ? new Components() : openApi.getComponents();
        openApi.setComponents(components);
        Schema<?> error = ModelConverters.getInstance().readAllAsResolvedSchema(ApiResponse.Error.class).schema;
        error.setDescription("The error envelope: code repeats the HTTP status, message names the parameter and what is wrong with it.");
        components.addSchemas(ERROR_SCHEMA, error);
        components.addSecuritySchemes(READ_TOKEN, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("The project's read token (readToken in the projects file)."));
        if (openApi.getPaths() == null) {
            return;
        }
        openApi.getPaths().forEach((path, item) -> {
            if (!path.startsWith("/api/")) {
                return;
            }
            item.readOperations().forEach(operation -> describeReadOperation(path, operation));
        });
    }

    private static void describeReadOperation(String path, Operation operation) {
        operation.addSecurityItem(new SecurityRequirement().addList(READ_TOKEN));
        if (operation.getParameters() != null) {
            // The controllers read the token from the header; the security scheme describes it.
            operation.getParameters().removeIf(parameter -> "header".equals(parameter.getIn())
                    && HttpHeaders.AUTHORIZATION.equalsIgnoreCase(parameter.getName()));
            for (Parameter parameter : operation.getParameters()) {
                if (parameter.getDescription() == null && COMMON_PARAMETERS.containsKey(parameter.getName())) {
                    parameter.setDescription(COMMON_PARAMETERS.get(parameter.getName()));
                }
            }
        }
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        operation.setResponses(responses);
        responses.addApiResponse("400", error("A parameter is missing or invalid; the message names it."));
        responses.addApiResponse("401", error("No Bearer read token, or one no project has."));
        responses.addApiResponse("403", error("The read token belongs to another project."));
        if (path.contains("{")) {
            responses.addApiResponse("404", error("Nothing under that path in this project."));
        }
    }

    private static io.swagger.v3.oas.models.responses.ApiResponse error(String description) {
        return new io.swagger.v3.oas.models.responses.ApiResponse().description(description).content(new Content()
                .addMediaType("application/json", new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + ERROR_SCHEMA))));
    }
}
