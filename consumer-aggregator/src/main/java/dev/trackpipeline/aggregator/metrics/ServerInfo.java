package dev.trackpipeline.aggregator.metrics;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;

/** One section of a Redis server's {@code INFO}: its {@code name:value} lines, for the start checks. */
final class ServerInfo {

    private ServerInfo() {
    }

    static Map<String, String> of(Connection connection, String section) {
        connection.sendCommand(Protocol.Command.INFO, section);
        Object answer = connection.getOne();
        String text = answer instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(answer);
        Map<String, String> fields = new LinkedHashMap<>();
        text.lines().filter(line -> !line.startsWith("#") && line.indexOf(':') > 0)
                .forEach(line -> fields.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1).trim()));
        return fields;
    }
}
