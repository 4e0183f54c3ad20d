package dev.trackpipeline.aggregator.query;

import dev.trackpipeline.aggregator.metrics.RedisOutages;
import dev.trackpipeline.runtime.ApiResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Redis out of reach, or up but not answering now, is the service's trouble, not the request's:
 * the metrics API answers 503, which clients, proxies and the dashboard take as "try again", where
 * the catch-all answered 500. "Not answering now" is what {@link RedisOutages} waits out on the
 * counting side: a Redis loading its data set after a restart (LOADING; compose runs it with an
 * append-only file), busy with a script past busy-reply-threshold (BUSY), and the like. Any other
 * Redis error stays 500. Ordered first, because Spring asks the advices in order and the shared
 * one takes any exception.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class RedisUnavailableResponses {

    static final String MESSAGE = "the metrics store (Redis) cannot be reached; try again shortly";
    static final String NOT_ANSWERING = "the metrics store (Redis) cannot answer now (loading its data or busy); try again shortly";

    private static final Logger log = LoggerFactory.getLogger(RedisUnavailableResponses.class);

    private final RedisOutages outages;

    RedisUnavailableResponses(RedisOutages outages) {
        this.outages = outages;
    }

    @ExceptionHandler(JedisConnectionException.class)
    ResponseEntity<ApiResponse.Error> unreachable(JedisConnectionException e) {
        log.warn("a metrics read found Redis out of reach: {}", e.getMessage());
        return unavailable(MESSAGE);
    }

    @ExceptionHandler(JedisException.class)
    ResponseEntity<ApiResponse.Error> failed(JedisException e) {
        if (outages.isOutage(e)) {
            log.warn("a metrics read found Redis not answering: {}", e.getMessage());
            return unavailable(NOT_ANSWERING);
        }
        log.error("request failed", e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                .body(new ApiResponse.Error(HttpStatus.INTERNAL_SERVER_ERROR.value(), "internal error"));
    }

    private static ResponseEntity<ApiResponse.Error> unavailable(String message) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(new ApiResponse.Error(HttpStatus.SERVICE_UNAVAILABLE.value(), message));
    }
}
