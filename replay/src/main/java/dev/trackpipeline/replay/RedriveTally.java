package dev.trackpipeline.replay;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** What a redrive found in the dead-letter topic: the letters it takes, counted by group, topic, outcome and reason, and why it left the others. */
final class RedriveTally {

    /** Why a letter read is not redriven. */
    enum Left {
        NOT_SELECTED("not selected"),
        REDRIVEN_BEFORE("redriven before (--again redrives them again)"),
        NO_GROUP("naming no consumer group"),
        NO_SOURCE("without a source on an event topic"),
        NEVER_STORABLE("whose outcome no redrive can change (" + String.join(", ", RedriveSelection.NEVER_STORABLE)
                + "; --outcome names them to redrive them anyway)"),
        VALUE_LEFT_OUT("whose value was left out for its size (read it at its source while Kafka keeps it)");

        private final String description;

        Left(String description) {
            this.description = description;
        }
    }

    /** A line of the table: the reason cut short, since reasons name the record's details. */
    record Row(String group, String topic, String outcome, String reason) {
    }

    private static final int REASON_CHARS = 70;

    private final Map<Row, Long> selected = new HashMap<>();
    private final Map<Left, Long> left = new EnumMap<>(Left.class);
    /** Letters left out because their group does not read their topic, by "group g does not consume t". */
    private final Map<String, Long> notConsumed = new TreeMap<>();
    private long read;

    void selected(DeadLetterRecord letter) {
        read++;
        String reason = printable(letter.reason());
        reason = reason.length() <= REASON_CHARS ? reason : reason.substring(0, REASON_CHARS) + "...";
        selected.merge(new Row(printable(letter.group().orElseThrow()), letter.source().orElseThrow().topic(), printable(letter.outcome()), reason),
                1L, Long::sum);
    }

    void left(Left why) {
        read++;
        left.merge(why, 1L, Long::sum);
    }

    /** A letter whose group (the one it would be redriven for) does not read its topic. */
    void notConsumed(String group, String topic) {
        read++;
        notConsumed.merge("group " + printable(group) + " does not consume " + topic, 1L, Long::sum);
    }

    long notConsumedCount() {
        return notConsumed.values().stream().mapToLong(Long::longValue).sum();
    }

    /** One line per group and topic: "group g does not consume t: 2 letters". */
    void printNotConsumed(PrintWriter err) {
        notConsumed.forEach((what, count) -> err.printf("left out %s: %s%n", letters(count), what));
    }

    /**
     * The text with control characters replaced: reasons and group names come from headers anyone
     * able to write the dead-letter topic chose, and are printed to an operator's terminal.
     */
    static String printable(String text) {
        return text.codePoints().map(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    long selectedCount() {
        return selected.values().stream().mapToLong(Long::longValue).sum();
    }

    long read() {
        return read;
    }

    /** "1 letter", "2 letters". */
    static String letters(long count) {
        return count + (count == 1 ? " letter" : " letters");
    }

    void printTable(PrintWriter out) {
        out.printf("%-18s %-20s %-18s %8s  %s%n", "group", "topic", "outcome", "letters", "reason");
        selected.entrySet().stream()
                .sorted(Map.Entry.<Row, Long>comparingByValue().reversed().thenComparing(entry -> entry.getKey().toString()))
                .forEach(entry -> out.printf("%-18s %-20s %-18s %8d  %s%n", entry.getKey().group(), entry.getKey().topic(),
                        entry.getKey().outcome(), entry.getValue(), entry.getKey().reason()));
    }

    /** "9 letters read: 2 not selected, 1 redriven before". */
    String leftOut() {
        StringBuilder text = new StringBuilder(letters(read) + " read");
        left.entrySet().stream().sorted(Comparator.comparing(Map.Entry::getKey))
                .forEach(entry -> text.append(text.indexOf(":") < 0 ? ": " : ", ").append(entry.getValue()).append(' ')
                        .append(entry.getKey().description));
        notConsumed.forEach((what, count) -> text.append(text.indexOf(":") < 0 ? ": " : ", ").append(count).append(' ').append(what));
        return text.toString();
    }
}
