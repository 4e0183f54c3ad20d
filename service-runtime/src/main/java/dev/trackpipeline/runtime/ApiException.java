package dev.trackpipeline.runtime;

import org.springframework.http.HttpStatus;

/** A request the API refuses, with the status and a message safe to show the caller. */
public final class ApiException extends RuntimeException {

    private final HttpStatus status;

    public ApiException(HttpStatus status, String message) {
        super(message);
        this.status = status;
    }

    /** Refuses with 400 a query parameter outside {@code [min, max]}, naming it and its bounds. */
    public static void requireBetween(String parameter, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ApiException(HttpStatus.BAD_REQUEST, parameter + ": must be between " + min + " and " + max + ", got " + value);
        }
    }

    public HttpStatus status() {
        return status;
    }
}
