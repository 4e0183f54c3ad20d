package dev.trackpipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedKafkaBroker;
import dev.trackpipeline.infra.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker where no service has run yet: the tool says what is missing instead of failing obscurely. */
class ReplayWithoutTopicsTest {

    @TempDir
    static Path logDir;

    static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startAnEmptyBroker() {
        broker = EmbeddedKafkaBroker.start(logDir, "127.0.0.1", FreePorts.one(), FreePorts.one());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void saysTheTopicsDoNotExistYet() {
        StringWriter topicsErr = new StringWriter();
        StringWriter exportErr = new StringWriter();

        int topics = ReplayCommand.commandLine().setErr(new PrintWriter(topicsErr))
                .execute("topics", "--bootstrap-servers", broker.bootstrapServers());
        int export = ReplayCommand.commandLine().setErr(new PrintWriter(exportErr))
                .execute("export", "--type", "error", "--bootstrap-servers", broker.bootstrapServers(), "--timeout-seconds", "5");

        assertThat(topics).isEqualTo(2);
        assertThat(topicsErr.toString()).contains("the track topics do not exist yet; start a service once to create them");
        assertThat(export).isEqualTo(2);
        assertThat(exportErr.toString()).contains("topic track.error does not exist on this cluster");
    }
}
