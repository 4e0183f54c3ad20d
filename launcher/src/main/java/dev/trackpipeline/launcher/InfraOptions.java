package dev.trackpipeline.launcher;

import dev.trackpipeline.infra.ExternalServers;
import dev.trackpipeline.infra.InfrastructureSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by {@code local} and {@code infra}. */
final class InfraOptions {

    @Option(names = "--data-dir", defaultValue = "${env:TRACK_DATA_DIR:-data}",
            description = "Where Kafka, the MongoDB-wire store and Redis keep their data (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    InfrastructureSettings settings() {
        return InfrastructureSettings.local(dataDir, ExternalServers.fromEnvironment(System.getenv()));
    }
}
