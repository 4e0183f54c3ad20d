package dev.trackpipeline.model;

/**
 * Why an item was not accepted. One vocabulary for the gateway's answers, the consumers'
 * dead-letter headers and the metrics tags, so a drop can be followed from edge to store.
 */
public enum Outcome {
    ACCEPTED("accepted"),
    INVALID_JSON("invalid_json"),
    INVALID_EVENT("invalid_event"),
    UNKNOWN_TYPE("unknown_type"),
    UNKNOWN_APIKEY("unknown_apikey"),
    ORIGIN_NOT_ALLOWED("origin_not_allowed"),
    BODY_TOO_LARGE("body_too_large"),
    EVENT_TOO_LARGE("event_too_large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type"),
    RATE_LIMITED("rate_limited"),
    KAFKA_UNAVAILABLE("kafka_unavailable"),
    MISSING_METADATA("missing_metadata"),
    REFUSED_BY_STORE("refused_by_store"),
    /** A record its store cannot take whatever is retried: a consumer failed on it alone, store up. */
    UNSTORABLE("unstorable"),
    OVERLOADED("overloaded"),
    /** A request body not fully received within the gateway's body-read timeout. */
    BODY_TIMEOUT("body_timeout"),
    /** A request refused unread: its client address already had as many bodies being read as the gateway allows one address. */
    TOO_MANY_BODY_READS("too_many_body_reads"),
    /**
     * An event over its client's share of its project's rate limit: the project still had room, but
     * one client (address) may not spend all of it, since the apikey any client can send is public.
     */
    CLIENT_RATE_LIMITED("client_rate_limited"),
    /** A request refused unread: its client address sent more requests than the gateway takes from one address. */
    TOO_MANY_REQUESTS("too_many_requests"),
    /**
     * Answered by the reverse proxy the project ships (deploy/nginx), never by the gateway: the proxy
     * could not pass the request on (the gateway unreachable or restarting).
     */
    GATEWAY_UNREACHABLE("gateway_unreachable");

    private final String code;

    Outcome(String code) {
        this.code = code;
    }

    /** Stable snake_case code used in HTTP bodies, Kafka headers and metric tags. */
    public String code() {
        return code;
    }
}
