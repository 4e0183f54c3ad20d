package dev.trackpipeline.model.project;

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
                throw new IllegalArgumentException("rateLimit: eventsPerSecond and burst must be positive");
            }
        }
    }
}
