package dev.trackpipeline.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.infra.EmbeddedRedisServer;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.runtime.ApiException;
import dev.trackpipeline.runtime.HeldRead;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/**
 * Reads wait for each other on connections of their own, and are refused, not queued, once every
 * one stays busy; one project holds at most every connection but one.
 */
class ReadConnectionsTest {

    static final EmbeddedRedisServer server = EmbeddedRedisServer.start(Optional.empty(), "127.0.0.1", FreePorts.one());

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aReadFindingEveryConnectionBusyForTheWholeWaitIsAnsweredServiceUnavailable() {
        try (ReadConnections reads = new ReadConnections(properties(new AggregatorProperties.Reads(1, Duration.ofMillis(200), 100)));
             var busy = reads.pipeline("read-test")) {
            busy.exists("read-test");

            assertThatThrownBy(() -> reads.pipeline("read-test")).isInstanceOfSatisfying(ApiException.class, refused -> {
                assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                assertThat(refused.getMessage()).isEqualTo("too many metric reads at once: every read connection is busy; try again shortly");
            });
        }
    }

    @Test
    void aConnectionGivenBackServesTheNextRead() {
        try (ReadConnections reads = new ReadConnections(properties(new AggregatorProperties.Reads(1, Duration.ofMillis(200), 100)))) {
            try (var first = reads.pipeline("read-test")) {
                first.set("read-test", "1");
                first.sync();
            }
            try (var second = reads.pipeline("read-test")) {
                var value = second.get("read-test");
                second.sync();
                assertThat(value.get()).isEqualTo("1");
            }
        }
    }

    @Test
    void oneProjectHoldsEveryConnectionButOneSoAnotherProjectsDashboardIsServedMeanwhile() throws Exception {
        try (ReadConnections reads = new ReadConnections(properties(new AggregatorProperties.Reads(2, Duration.ofMillis(200), 100)));
             HeldRead slow = new HeldRead((apikey, read) -> reads.read(apikey, pipeline -> read.get()), "filled")) {
            assertThatThrownBy(() -> reads.read("filled", pipeline -> "second of the same project")).isInstanceOfSatisfying(ApiException.class,
                    refused -> {
                        assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                        assertThat(refused.getMessage()).isEqualTo("this project's reads hold 1 of the reads at once already, as many as one"
                                + " project may (every one of track.aggregator.reads.connections but one); try again shortly");
                    });
            String answer = reads.read("shop", pipeline -> {
                var exists = pipeline.exists("read-test");
                pipeline.sync();
                return "another project's, " + exists.get();
            });
            assertThat(answer).isEqualTo("another project's, false");

            assertThat(slow.release()).isEqualTo("held by filled");
        }
    }

    private static AggregatorProperties properties(AggregatorProperties.Reads reads) {
        return new AggregatorProperties("read-test", new AggregatorProperties.Redis(server.host(), server.port(), null, 0, false),
                Duration.ofHours(1), Duration.ofHours(48), Duration.ofDays(30), 500, 50, 500, 10_000, Duration.ofDays(31), 50, reads);
    }
}
