package dev.trackpipeline.bench;

import dev.trackpipeline.launcher.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A service's {@code /actuator/prometheus} scrape, and the sums the benchmark and the soak read from it. */
final class PrometheusText {

    private PrometheusText() {
    }

    static String scrape(HttpClient http, ServiceProcess service) throws IOException, InterruptedException {
        return get(http, URI.create(service.managementUrl() + "/actuator/prometheus"));
    }

    /** Only metric {@code name}: a sampler that reads one metric twice a second should not make the service render them all. */
    static String scrape(HttpClient http, ServiceProcess service, String name) throws IOException, InterruptedException {
        return get(http, URI.create(service.managementUrl() + "/actuator/prometheus?includedNames=" + name));
    }

    private static String get(HttpClient http, URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sum of metric {@code name}'s samples whose labels contain every one of {@code labelFragments}. */
    static double sum(String scrape, String name, String... labelFragments) {
        double total = 0;
        for (String line : scrape.split("\n")) {
            if (isSampleOf(line, name) && java.util.Arrays.stream(labelFragments).allMatch(line::contains)) {
                total += value(line);
            }
        }
        return total;
    }

    /** Per value of {@code label}: the sum of metric {@code name}'s samples with that value. */
    static Map<String, Double> sumByLabel(String scrape, String name, String label) {
        Map<String, Double> sums = new LinkedHashMap<>();
        String prefix = label + "=\"";
        for (String line : scrape.split("\n")) {
            int at = line.indexOf(prefix);
            if (isSampleOf(line, name) && at >= 0) {
                int start = at + prefix.length();
                sums.merge(line.substring(start, line.indexOf('"', start)), value(line), Double::sum);
            }
        }
        return sums;
    }

    private static boolean isSampleOf(String line, String name) {
        return line.startsWith(name + "{") || line.startsWith(name + " ");
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
