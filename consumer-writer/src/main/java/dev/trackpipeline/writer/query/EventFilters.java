package dev.trackpipeline.writer.query;

import com.mongodb.client.model.Filters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.conversions.Bson;

/**
 * The seed server's optional filters, each a query parameter matched exactly against one field:
 * {@code status}, {@code device_type}, {@code browser}, {@code os}, {@code name}, {@code rating},
 * and {@code initiatorType} (any entry of a resource list).
 */
final class EventFilters {

    static final Map<String, String> FIELDS;

    static {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("status", "status");
        fields.put("device_type", "deviceInfo.device_type");
        fields.put("browser", "deviceInfo.browser");
        fields.put("os", "deviceInfo.os");
        fields.put("name", "name");
        fields.put("rating", "rating");
        fields.put("initiatorType", "resourceList.initiatorType");
        FIELDS = Map.copyOf(fields);
    }

    private EventFilters() {
    }

    static List<Bson> from(Map<String, String> parameters) {
        List<Bson> conditions = new ArrayList<>();
        FIELDS.forEach((parameter, field) -> {
            String value = parameters.get(parameter);
            if (value != null && !value.isBlank()) {
                conditions.add(Filters.eq(field, value));
            }
        });
        return conditions;
    }
}
