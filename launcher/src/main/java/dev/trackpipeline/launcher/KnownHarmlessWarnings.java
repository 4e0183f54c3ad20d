package dev.trackpipeline.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import org.slf4j.Marker;

/**
 * Drops the embedded Kafka's warnings that every healthy start prints, which a newcomer's first
 * {@code bin/track local} showed between its ready lines as if something were wrong: the first
 * start of an empty log directory, and a client closed twice while the broker registers. Every
 * other warning of those loggers still shows.
 */
public final class KnownHarmlessWarnings extends TurboFilter {

    /** Logger name, and a part of the message that only the harmless warning has. */
    private static final Map<String, String> HARMLESS = Map.of(
            "org.apache.kafka.controller.QuorumController", "The metadata log appears to be empty",
            "org.apache.kafka.clients.NetworkClient", "Attempting to close NetworkClient that has already been closed");

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable thrown) {
        if (level != Level.WARN || format == null) {
            return FilterReply.NEUTRAL;
        }
        String harmless = HARMLESS.get(logger.getName());
        return harmless != null && format.contains(harmless) ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
