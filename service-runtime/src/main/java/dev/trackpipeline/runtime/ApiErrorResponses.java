package dev.trackpipeline.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Error bodies of the read APIs, in the seed server's shape {@code {"code":status,"message":...}}
 * with a real HTTP status. Never a stack trace or an internal detail.
 */
@RestControllerAdvice
public class ApiErrorResponses {

    private static final Logger log = LoggerFactory.getLogger(ApiErrorResponses.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ApiResponse.Error> refused(ApiException e) {
        return body(e.status(), e.getMessage());
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ApiResponse.Error> missingParameter(MissingServletRequestParameterException e) {
        return body(HttpStatus.BAD_REQUEST, e.getParameterName() + ": is required");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ApiResponse.Error> wrongType(MethodArgumentTypeMismatchException e) {
        String expected = e.getRequiredType() == null ? "another type" : e.getRequiredType().getSimpleName().toLowerCase();
        return body(HttpStatus.BAD_REQUEST, e.getName() + ": expected " + expected + ", got \"" + e.getValue() + "\"");
    }

    @ExceptionHandler(RuntimeException.class)
    ResponseEntity<ApiResponse.Error> unexpected(RuntimeException e) {
        log.error("request failed", e);
        return body(HttpStatus.INTERNAL_SERVER_ERROR, "internal error");
    }

    static ResponseEntity<ApiResponse.Error> body(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(new ApiResponse.Error(status.value(), message));
    }
}
