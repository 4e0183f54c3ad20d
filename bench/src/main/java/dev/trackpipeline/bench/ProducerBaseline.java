package dev.trackpipeline.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka's own {@code ProducerPerformance}, in a JVM of its own as the gateway is, sending the same
 * events (the payload file holds them, one per line) to the same broker with acks=all and the
 * gateway's producer settings: the fastest anything can put these events into Kafka here.
 */
final class ProducerBaseline {

    private static final Pattern SUMMARY = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec");

    private ProducerBaseline() {
    }

    /** @return records per second of the final summary line */
    static double run(String bootstrapServers, String topic, List<byte[]> events, long records, Path workDir) throws Exception {
        Path payloads = workDir.resolve("producer-payloads.txt");
        List<String> lines = new ArrayList<>(events.size());
        events.forEach(event -> lines.add(new String(event, StandardCharsets.UTF_8)));
        Files.write(payloads, lines, StandardCharsets.UTF_8);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.ProducerPerformance",
                "--topic", topic, "--num-records", String.valueOf(records), "--throughput", "-1",
                "--payload-file", payloads.toString(),
                "--producer-props", "bootstrap.servers=" + bootstrapServers, "acks=all", "enable.idempotence=true",
                "linger.ms=2", "compression.type=lz4", "max.request.size=4194304");
        Path log = workDir.resolve("producer-performance.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("ProducerPerformance did not finish; see " + log);
        }
        return summary(Files.readString(log), log);
    }

    static double summary(String output, Path log) throws IOException {
        Matcher matcher = SUMMARY.matcher(output);
        Double last = null;
        while (matcher.find()) {
            last = Double.parseDouble(matcher.group(2));
        }
        if (last == null) {
            throw new IllegalStateException("ProducerPerformance printed no summary; see " + log);
        }
        return last;
    }
}
