package dev.trackpipeline.model.project;

import dev.trackpipeline.model.event.EventValidator;
import java.util.List;

/**
 * A project that may send events ({@code apikey}) and read them back ({@code readToken}).
 *
 * @param allowedOrigins browser origins allowed to post events: exact origins, {@code https://*.domain}
 *                       for every subdomain, {@code "*"} for any
 */
public record Project(String apikey, String name, String readToken, AllowedOrigins allowedOrigins, RateLimit rateLimit) {

    public Project {
        requireText("apikey", apikey);
        // Events name their project by apikey, and the gateway refuses longer ones: such a project could never send.
        if (apikey.length() > EventValidator.MAX_APIKEY_LENGTH) {
            throw new IllegalArgumentException("apikey: longer than " + EventValidator.MAX_APIKEY_LENGTH
                    + " characters, which no event may carry");
        }
        // The aggregator's keys hold the apikey as their Redis Cluster hash tag ({apikey}): a brace would cut it short.
        if (apikey.indexOf('{') >= 0 || apikey.indexOf('}') >= 0) {
            throw new IllegalArgumentException("apikey: may not contain '{' or '}'");
        }
        requireText("readToken", readToken);
        name = name == null || name.isBlank() ? apikey : name;
        allowedOrigins = allowedOrigins == null ? new AllowedOrigins(List.of()) : allowedOrigins;
        rateLimit = rateLimit == null ? RateLimit.DEFAULT : rateLimit;
    }

    public boolean allowsOrigin(String origin) {
        return allowedOrigins.allows(origin);
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + ": is required");
        }
    }

    /** Events per second a project may send, with a burst allowance. */
    public record RateLimit(int eventsPerSecond, int burst) {

        public static final RateLimit DEFAULT = new RateLimit(1000, 2000);

        public RateLimit {
            if (eventsPerSecond <= 0 || burst <= 0) {
                throw new IllegalArgumentException("rateLimit: eventsPerSecond and burst must be positive, got " + eventsPerSecond
                        + " and " + burst);
            }
        }
    }
}
