package dev.trackpipeline.runtime;

import org.springframework.http.HttpStatus;

/** A request the API refuses, with the status and a message safe to show the caller. */
public final class ApiException extends RuntimeException {

    private final HttpStatus status;

    public ApiException(HttpStatus status, String message) {
        super(message);
        this.status = status;
    }

    public HttpStatus status() {
        return status;
    }
}
