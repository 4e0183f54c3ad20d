package dev.trackpipeline.writer.query;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

/**
 * The list endpoints take their optional filters as a map of all query parameters; their
 * OpenAPI description lists the filters {@link EventFilters} knows instead of that map.
 */
@Component
class EventFilterParameters implements OpenApiCustomizer {

    /** The name springdoc gives the controllers' {@code @RequestParam Map<String, String> parameters}. */
    static final String ALL_PARAMETERS = "parameters";

    @Override
    public void customise(OpenAPI openApi) {
        if (openApi.getPaths() == null) {
            return;
        }
        openApi.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> {
            if (operation.getParameters() == null
                    || operation.getParameters().stream().noneMatch(parameter -> ALL_PARAMETERS.equals(parameter.getName()))) {
                return;
            }
            List<Parameter> parameters = new ArrayList<>();
            operation.getParameters().stream().filter(parameter -> !ALL_PARAMETERS.equals(parameter.getName())).forEach(parameters::add);
            EventFilters.FIELDS.forEach((name, field) -> {
                if (parameters.stream().noneMatch(parameter -> name.equals(parameter.getName()))) {
                    parameters.add(new Parameter().in("query").name(name).required(false).schema(new StringSchema())
                            .description("Only events whose " + field + " is exactly this."));
                }
            });
            operation.setParameters(parameters);
        }));
    }
}
