package dev.trackpipeline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A consumer asks its store for a probe write once it has started, so a missing right is named before any record needs it. */
class WriteProbeAtStartupTest {

    @Test
    void asksTheStoreForOneProbeWriteAndGoesOnWhateverItAnswers() {
        AtomicInteger probes = new AtomicInteger();
        StoreOutages refusing = new StoreOutages() {
            @Override
            public boolean isOutage(Throwable failure) {
                return false;
            }

            @Override
            public boolean takesWrites() {
                probes.incrementAndGet();
                return false;
            }
        };

        new WriteProbeAtStartup(refusing).probe();

        assertThat(probes).hasValue(1);
    }
}
