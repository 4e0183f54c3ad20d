package dev.trackpipeline.aggregator.query;

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

/**
 * Redis out of reach is the service's trouble, not the request's: the metrics API answers 503,
 * which clients, proxies and the dashboard take as "try again", where the catch-all answered 500.
 * Ordered first, because Spring asks the advices in order and the shared one takes any exception.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class RedisUnavailableResponses {

    static final String MESSAGE = "the metrics store (Redis) cannot be reached; try again shortly";

    private static final Logger log = LoggerFactory.getLogger(RedisUnavailableResponses.class);

    @ExceptionHandler(JedisConnectionException.class)
    ResponseEntity<ApiResponse.Error> unreachable(JedisConnectionException e) {
        log.warn("a metrics read found Redis out of reach: {}", e.getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(new ApiResponse.Error(HttpStatus.SERVICE_UNAVAILABLE.value(), MESSAGE));
    }
}
