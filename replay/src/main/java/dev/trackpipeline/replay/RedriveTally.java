package dev.trackpipeline.replay;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/** What a redrive found in the dead-letter topic: the letters it takes, counted by group, topic, outcome and reason, and why it left the others. */
final class RedriveTally {

    /** Why a letter read is not redriven. */
    enum Left {
        NOT_SELECTED("not selected"),
        REDRIVEN_BEFORE("redriven before (--again redrives them again)"),
        NO_GROUP("naming no consumer group"),
        NO_SOURCE("without a source on an event topic"),
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
    private long read;

    void selected(DeadLetterRecord letter) {
        read++;
        String reason = letter.reason().length() <= REASON_CHARS ? letter.reason() : letter.reason().substring(0, REASON_CHARS) + "...";
        selected.merge(new Row(letter.group().orElseThrow(), letter.source().orElseThrow().topic(), letter.outcome(), reason), 1L, Long::sum);
    }

    void left(Left why) {
        read++;
        left.merge(why, 1L, Long::sum);
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
        return text.toString();
    }
}
