package dev.trackpipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** What a redrive says about the groups it redrove for once its letters are committed. */
class RedriveTargetsTest {

    /** The letters are committed by then: the run says what it could not check and goes on to list what it left out. */
    @Test
    void aGroupKafkaCannotDescribeAfterTheCommitIsANoteNotAFailure() {
        StringWriter err = new StringWriter();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + FreePorts.one(),
                "default.api.timeout.ms", 1000, "request.timeout.ms", 1000))) {
            new RedriveTargets(admin, Duration.ofSeconds(1)).noteIfNotRunning("track-writer", new PrintWriter(err, true));
        }

        assertThat(err.toString()).startsWith("note: could not check whether group track-writer has running members: ")
                .containsPattern("Timeout");
    }
}
