package dev.trackpipeline.aggregator.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Protocol;

/**
 * The Redis rights docs/dead-letters.md tells operators to give the aggregator: the commands in
 * backquotes in the aggregator's row of its rights table, on the keys {@code track:*}. Read from
 * the page itself, so a test under them fails when the page falls behind the code.
 */
public record DocumentedRedisRights(Set<String> commands) {

    private static final Path PAGE = Path.of("..", "docs", "dead-letters.md");

    public static DocumentedRedisRights read() {
        try {
            String row = Files.readAllLines(PAGE).stream().filter(line -> line.startsWith("| aggregator | Redis")).findFirst().orElseThrow();
            Set<String> commands = new LinkedHashSet<>();
            Matcher quoted = Pattern.compile("`([A-Z]+)`").matcher(row);
            while (quoted.find()) {
                commands.add(quoted.group(1));
            }
            return new DocumentedRedisRights(commands);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public DocumentedRedisRights without(String command) {
        Set<String> fewer = new LinkedHashSet<>(commands);
        fewer.remove(command);
        return new DocumentedRedisRights(fewer);
    }

    /** Gives a user exactly these rights and this password, and nothing else, through a connection allowed to (ACL SETUSER). */
    public void grant(JedisPooled admin, String user, String password) {
        List<String> rules = new ArrayList<>(List.of("SETUSER", user, "reset", "on", ">" + password, "~track:*"));
        commands.forEach(command -> rules.add("+" + command.toLowerCase(java.util.Locale.ROOT)));
        admin.sendCommand(Protocol.Command.ACL, rules.toArray(String[]::new));
    }
}
