package dev.trackpipeline.writer.query;

import dev.trackpipeline.runtime.ApiResponse;
import dev.trackpipeline.writer.store.MongoOutages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import com.mongodb.MongoException;

/**
 * MongoDB out of reach, or a query that ran out of its time, is the service's trouble, not the
 * request's: the query API answers 503 with what to do, where the catch-all answered 500 "internal
 * error". Other MongoDB errors stay 500. Ordered first, because Spring asks the advices in order
 * and the shared one takes any exception.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class MongoUnavailableResponses {

    static final String UNREACHABLE = "the event store (MongoDB) cannot be reached; try again shortly";
    static final String TOO_LONG = "the read's queries ran longer than track.writer.read.query-timeout; narrow startTime/endTime or the filters";
    /** MaxTimeMSExpired: the server stopped a query at its maxTimeMS. */
    private static final int MAX_TIME_EXPIRED = 50;

    private static final Logger log = LoggerFactory.getLogger(MongoUnavailableResponses.class);

    private final MongoOutages outages;

    MongoUnavailableResponses(MongoOutages outages) {
        this.outages = outages;
    }

    @ExceptionHandler(MongoException.class)
    ResponseEntity<ApiResponse.Error> failed(MongoException e) {
        if (e.getCode() == MAX_TIME_EXPIRED) {
            return unavailable(TOO_LONG);
        }
        if (outages.isOutage(e)) {
            log.warn("a read found MongoDB out of reach: {}", e.getMessage());
            return unavailable(UNREACHABLE);
        }
        log.error("request failed", e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                .body(new ApiResponse.Error(HttpStatus.INTERNAL_SERVER_ERROR.value(), "internal error"));
    }

    private static ResponseEntity<ApiResponse.Error> unavailable(String message) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(new ApiResponse.Error(HttpStatus.SERVICE_UNAVAILABLE.value(), message));
    }
}
