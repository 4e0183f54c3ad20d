package dev.trackpipeline.infra;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The last lines redis-server logged while starting, kept to say why it stopped: its reason is a
 * warning line ("12345:M 02 Dec 2026 02:20:36.937 # Bad file format reading the append only
 * file: make a backup ..."), which the library that starts it does not pass on.
 */
final class RedisLog {

    private static final int KEPT_LINES = 50;
    private static final Pattern WARNING = Pattern.compile("^\\d+:[A-Z] .*? # (.*)$");
    private static final Pattern ABOUT_DATA = Pattern.compile("(?i)append only file|\\baof\\b|\\brdb\\b|loading the db");

    private static final String INITIALIZED = "Server initialized";

    private final Deque<String> lines = new ArrayDeque<>();

    synchronized void add(String line) {
        if (lines.size() == KEPT_LINES) {
            lines.removeFirst();
        }
        lines.addLast(line);
    }

    /**
     * What stopped it: the first warning after "Server initialized" (loading its data comes then),
     * or, when it stopped before, its last warning; never advice about the machine ("WARNING ...").
     */
    synchronized Optional<String> reasonToStop() {
        List<String> warnings = lines.stream()
                .map(WARNING::matcher)
                .filter(java.util.regex.Matcher::matches)
                .map(matcher -> matcher.group(1).strip())
                .filter(warning -> !warning.startsWith("WARNING"))
                .toList();
        int initialized = warnings.indexOf(INITIALIZED);
        Optional<String> reason = initialized >= 0
                ? warnings.stream().skip(initialized + 1L).findFirst()
                : warnings.isEmpty() ? Optional.empty() : Optional.of(warnings.get(warnings.size() - 1));
        // "...: make a backup of your AOF file, then use ./redis-check-aof --fix": advice for redis's own users.
        return reason.map(warning -> warning.contains(": make a backup") ? warning.substring(0, warning.indexOf(": make a backup")) : warning);
    }

    static boolean aboutItsData(String reason) {
        return ABOUT_DATA.matcher(reason).find();
    }
}
