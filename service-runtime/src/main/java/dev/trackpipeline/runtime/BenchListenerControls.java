package dev.trackpipeline.runtime;

import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /bench/listeners}: pauses and resumes a consumer's Kafka listeners. The benchmark warms a
 * fresh consumer up on events of its own, pauses it until its JIT compilers have caught up, and
 * measures the drain after the resume: on two cores a JVM that is still compiling takes a good
 * part of the CPU the drain is measured on. A paused consumer keeps its partitions and its place,
 * and its group sees no rebalance. Off unless {@code track.bench.listener-controls=true};
 * {@code bin/track bench} turns it on for the consumers it measures.
 */
@RestController
@ConditionalOnProperty(name = "track.bench.listener-controls", havingValue = "true")
public class BenchListenerControls {

    /**
     * @param pauseRequested whether the listeners were asked to pause
     * @param paused         whether every listener has paused its consumer: no record is handed to
     *                       the service until it resumes
     */
    public record State(boolean pauseRequested, boolean paused) {
    }

    private static final Logger log = LoggerFactory.getLogger(BenchListenerControls.class);

    private final KafkaListenerEndpointRegistry listeners;

    public BenchListenerControls(KafkaListenerEndpointRegistry listeners) {
        this.listeners = listeners;
    }

    @GetMapping("/bench/listeners")
    public ApiResponse<State> state() {
        Collection<MessageListenerContainer> containers = listeners.getListenerContainers();
        return ApiResponse.ok(new State(!containers.isEmpty() && containers.stream().allMatch(MessageListenerContainer::isPauseRequested),
                !containers.isEmpty() && containers.stream().allMatch(MessageListenerContainer::isContainerPaused)));
    }

    /** Asks every listener to pause after the batch in hand; {@code paused} turns true once they have. */
    @PostMapping("/bench/listeners/pause")
    public ApiResponse<State> pause() {
        log.info("Pausing the Kafka listeners {} (bench listener controls)", listeners.getListenerContainerIds());
        listeners.getListenerContainers().forEach(MessageListenerContainer::pause);
        return state();
    }

    @PostMapping("/bench/listeners/resume")
    public ApiResponse<State> resume() {
        log.info("Resuming the Kafka listeners {} (bench listener controls)", listeners.getListenerContainerIds());
        listeners.getListenerContainers().forEach(MessageListenerContainer::resume);
        return state();
    }
}
