package dev.trackpipeline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trackpipeline.model.Outcome;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

class BodyReadsPerClientTest {

    private final BodyReadsPerClient bodyReads = new BodyReadsPerClient(2);

    @Test
    void refusesAnAddressItsNextReadWithoutReadingOnceItHasAsManyAsAllowedWhileOtherAddressesStillRead() throws IOException {
        assertThat(bodyReads.tryStart("198.51.100.7")).isTrue();
        assertThat(bodyReads.tryStart("198.51.100.7")).isTrue();
        AtomicBoolean read = new AtomicBoolean();

        assertThatThrownBy(() -> bodyReads.read("198.51.100.7", () -> read.getAndSet(true)))
                .isInstanceOfSatisfying(IngestRefusedException.class, refused -> {
                    assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(refused.outcome()).isEqualTo(Outcome.TOO_MANY_BODY_READS);
                    assertThat(refused.getMessage()).isEqualTo("client: already 2 request bodies being read from this address"
                            + " (maxBodyReadsPerClient); nothing was accepted, retry later");
                });
        assertThat(read).as("the refused request's body was read").isFalse();
        assertThat(bodyReads.read("203.0.113.9", () -> "another address's body")).isEqualTo("another address's body");
        assertThat(bodyReads.reads()).isEqualTo(2);
    }

    @Test
    void readsForAnAddressAgainOnceOneOfItsReadsHasEnded() throws IOException {
        bodyReads.tryStart("198.51.100.7");
        bodyReads.tryStart("198.51.100.7");

        bodyReads.end("198.51.100.7");

        assertThat(bodyReads.read("198.51.100.7", () -> "body")).isEqualTo("body");
    }

    @Test
    void holdsNothingForAnAddressOnceItsReadsHaveEndedHoweverTheyEnded() {
        assertThatThrownBy(() -> bodyReads.read("198.51.100.7", () -> {
            throw new IOException("the client went away");
        })).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> bodyReads.read("203.0.113.9", () -> {
            throw RequestBodyReader.overloaded();
        })).isInstanceOf(IngestRefusedException.class);

        assertThat(bodyReads.addresses()).isZero();
        assertThat(bodyReads.reads()).isZero();
    }
}
