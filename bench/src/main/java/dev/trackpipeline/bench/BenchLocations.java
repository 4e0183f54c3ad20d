package dev.trackpipeline.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where {@code bench} and {@code soak} find the built services and the captured traffic, and where they write. */
final class BenchLocations {

    @Option(names = "--fixtures", description = "the captured SDK traffic (default: fixtures/web-see/captured.jsonl in the checkout)")
    Path fixtures;

    @Option(names = "--home", description = "the checkout, where the services' jars are built (default: -Dtrack.home or the current directory)")
    Path home;

    @Option(names = "--output", description = "where the report goes (default: bench/results in the checkout)")
    Path output;

    Path checkout() {
        return (home != null ? home : Path.of(System.getProperty("track.home", "."))).toAbsolutePath().normalize();
    }

    Path capturedTraffic() {
        return fixtures != null ? fixtures : checkout().resolve("fixtures/web-see/captured.jsonl");
    }

    Path results() {
        return output != null ? output : checkout().resolve("bench/results");
    }
}
