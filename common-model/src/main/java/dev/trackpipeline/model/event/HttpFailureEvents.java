package dev.trackpipeline.model.event;

import java.util.List;

/** XHR and fetch calls the SDK saw fail (HTTP error, network error or a business error code). */
public final class HttpFailureEvents implements EventFamily {

    @Override
    public String name() {
        return "http";
    }

    @Override
    public List<String> types() {
        return List.of("xhr", "fetch");
    }

    @Override
    public boolean reportsErrors() {
        return true;
    }

    @Override
    public void check(EventCheck check) {
        check.requireString("url");
        check.optionalNumber("elapsedTime");
        check.optionalString("message");
        check.inObject("requestData", request -> {
            request.optionalOneOf("httpType", List.of("xhr", "fetch"));
            request.optionalString("method");
        });
        check.inObject("response", response -> response.optionalInteger("Status"));
        check.optionalString("recordScreenId");
    }
}
