package dev.trackpipeline.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP load from wrk, a native load generator (Debian package {@code wrk}): a JVM client on the
 * same two cores measured itself (5,005 requests/s on a no-op route that wrk drove at 14,086/s),
 * so the HTTP figures users read come from wrk, and the report shows its no-op baseline beside
 * them to prove it was not the limit.
 */
final class Wrk {

    /** What one wrk run measured. Latencies in milliseconds. */
    record Result(long requests, double seconds, long refused, long socketErrors, double p50Ms, double p99Ms, double maxMs) {

        double requestsPerSecond() {
            return requests / seconds;
        }

        /** Answers under 400 (the gateway's 202s) per second: wrk counts every status from 400 up as an error. */
        double acceptedPerSecond() {
            return (requests - refused) / seconds;
        }
    }

    /** Concurrent runs that were one load, one per server: their rates add up. */
    record Together(List<Result> runs) {

        Together {
            runs = List.copyOf(runs);
        }

        double acceptedPerSecond() {
            return runs.stream().mapToDouble(Result::acceptedPerSecond).sum();
        }

        long accepted() {
            return runs.stream().mapToLong(run -> run.requests() - run.refused()).sum();
        }

        long refused() {
            return runs.stream().mapToLong(Result::refused).sum();
        }

        long socketErrors() {
            return runs.stream().mapToLong(Result::socketErrors).sum();
        }
    }

    private static final Pattern RESULT = Pattern.compile("wrk-result (.*)");
    private static final String SCRIPT = "/wrk/mix.lua";

    private final Path script;
    private final int threads;
    private final AtomicInteger runs = new AtomicInteger();

    Wrk(Path workDir, int threads) throws IOException {
        this.threads = threads;
        this.script = workDir.resolve("mix.lua");
        try (InputStream lua = Wrk.class.getResourceAsStream(SCRIPT)) {
            Files.write(script, lua.readAllBytes());
        }
    }

    /** Whether wrk is on the PATH; the benchmark refuses to measure HTTP without it. */
    static boolean installed() {
        try {
            Process probe = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            probe.waitFor();
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** As fast as {@code connections} connections go, each waiting for its answer before the next request. */
    Result saturate(URI url, Path mix, int connections, Duration duration) throws IOException, InterruptedException {
        return start(url, mix, threads, connections, duration, 0).await();
    }

    /**
     * As fast as {@code connections} connections go, shared out over the {@code urls} (servers of
     * one stage): a wrk each, all at once, each with its share of the threads and of the
     * connections, so that the load as a whole has as many of each whatever the number of servers.
     */
    Together saturateEach(List<URI> urls, Path mix, int connections, Duration duration) throws IOException, InterruptedException {
        int threadsEach = Math.max(1, threads / urls.size());
        List<Running> running = new ArrayList<>();
        for (URI url : urls) {
            running.add(start(url, mix, threadsEach, Math.max(1, connections / urls.size()), duration, 0));
        }
        List<Result> results = new ArrayList<>();
        for (Running wrk : running) {
            results.add(wrk.await());
        }
        return new Together(results);
    }

    /**
     * About {@code rate} requests per second: each connection pauses after every answer so that
     * {@code connections} of them send that many, its pause shortened by the answers' expected
     * latency (the last run's median); the result says what was sent.
     */
    Result paced(URI url, Path mix, int connections, double rate, double latencyMs, Duration duration)
            throws IOException, InterruptedException {
        long pauseMs = Math.max(1, Math.round(connections * 1000.0 / rate - latencyMs));
        return start(url, mix, threads, connections, duration, pauseMs).await();
    }

    private Running start(URI url, Path mix, int threadsOfThisRun, int connections, Duration duration, long pauseMs) throws IOException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t" + threadsOfThisRun, "-c" + Math.max(connections, threadsOfThisRun),
                "-d" + Math.max(1, duration.toSeconds()) + "s", "--timeout", "10s", "-s", script.toString(), url.toString(),
                "--", mix.toString(), String.valueOf(System.nanoTime() / 1000 + runs.incrementAndGet())));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("WRK_PAUSE_MS", String.valueOf(pauseMs));
        return new Running(builder.start(), command);
    }

    /** A wrk started; its output is a few lines, which its pipe holds until they are read. */
    private record Running(Process wrk, List<String> command) {

        Result await() throws IOException, InterruptedException {
            String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (wrk.waitFor() != 0) {
                throw new IllegalStateException("wrk failed (" + String.join(" ", command) + "):\n" + output);
            }
            return parse(output);
        }
    }

    static Result parse(String output) {
        Matcher matcher = RESULT.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("wrk printed no result:\n" + output);
        }
        Map<String, Long> fields = new HashMap<>();
        for (String field : matcher.group(1).trim().split(" ")) {
            String[] pair = field.split("=", 2);
            fields.put(pair[0], Long.parseLong(pair[1]));
        }
        return new Result(fields.get("requests"), fields.get("micros") / 1e6, fields.get("status_errors"), fields.get("socket_errors"),
                fields.get("p50") / 1e3, fields.get("p99") / 1e3, fields.get("max") / 1e3);
    }
}
