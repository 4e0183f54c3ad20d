package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.ingest.AcceptedEvent;
import dev.trackpipeline.model.ingest.IngestBatch;
import dev.trackpipeline.model.ingest.IngestBatchReader;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.ingest.Rejection;
import dev.trackpipeline.model.project.Project;
import dev.trackpipeline.model.project.ProjectRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /reportData}: read the body within limits, validate each event (common-model),
 * check its project and origin, publish the valid ones and answer 202 once Kafka holds them.
 */
@RestController
public class ReportDataController {

    private static final Logger log = LoggerFactory.getLogger(ReportDataController.class);
    private static final Set<Outcome> FORBIDDEN = Set.of(Outcome.UNKNOWN_APIKEY, Outcome.ORIGIN_NOT_ALLOWED);

    private final IngestBatchReader batchReader;
    private final RequestBodyReader bodyReader;
    private final ProjectRegistry projects;
    private final EventPublisher publisher;
    private final ClientAddressHash clientHash;
    private final GatewayProperties properties;
    private final IngestOutcomes outcomes;
    private final Clock clock;

    public ReportDataController(IngestBatchReader batchReader, IngestLimits limits, ProjectRegistry projects,
                                EventPublisher publisher, GatewayProperties properties, MeterRegistry meters, Clock clock) {
        this.batchReader = batchReader;
        this.bodyReader = new RequestBodyReader(limits);
        this.projects = projects;
        this.publisher = publisher;
        this.clientHash = new ClientAddressHash(properties.clientHashSalt());
        this.properties = properties;
        this.outcomes = new IngestOutcomes(meters);
        this.clock = clock;
    }

    @PostMapping("/reportData")
    public ResponseEntity<IngestResponse> reportData(HttpServletRequest request) throws IOException {
        var receivedAt = clock.instant();
        RequestBodyReader.requireSupportedContentType(request.getContentType());
        byte[] body = bodyReader.read(request.getInputStream(), request.getContentLengthLong(),
                request.getHeader(HttpHeaders.CONTENT_ENCODING));

        IngestBatch batch = batchReader.read(body);
        List<AcceptedEvent> accepted = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>(batch.rejected());
        Optional<String> origin = Optional.ofNullable(request.getHeader(HttpHeaders.ORIGIN));
        for (AcceptedEvent event : batch.accepted()) {
            Optional<Project> project = projects.find(event.apikey());
            if (project.isEmpty()) {
                rejected.add(new Rejection(event.index(), Outcome.UNKNOWN_APIKEY,
                        "apikey: \"" + event.apikey() + "\" is not a registered project"));
            } else if (origin.isPresent() && !project.get().allowsOrigin(origin.get())) {
                rejected.add(new Rejection(event.index(), Outcome.ORIGIN_NOT_ALLOWED,
                        "Origin: " + origin.get() + " is not allowed for project \"" + event.apikey() + "\""));
            } else {
                accepted.add(event);
            }
        }
        rejected.sort(Comparator.comparingInt(Rejection::index));

        if (!accepted.isEmpty()) {
            publisher.publish(accepted, receivedAt, clientHash.of(request.getRemoteAddr()));
        }
        outcomes.count(accepted, rejected);
        var response = new IngestResponse(accepted.size(), rejected.stream().map(IngestResponse.RejectedEvent::of).toList());
        return ResponseEntity.status(statusOf(accepted, rejected)).body(response);
    }

    private static HttpStatus statusOf(List<AcceptedEvent> accepted, List<Rejection> rejected) {
        if (!accepted.isEmpty()) {
            return HttpStatus.ACCEPTED;
        }
        if (rejected.stream().allMatch(rejection -> FORBIDDEN.contains(rejection.outcome()))) {
            return HttpStatus.FORBIDDEN;
        }
        if (rejected.stream().anyMatch(rejection -> rejection.outcome() == Outcome.BODY_TOO_LARGE)) {
            return HttpStatus.PAYLOAD_TOO_LARGE;
        }
        return HttpStatus.BAD_REQUEST;
    }

    @ExceptionHandler(IngestRefusedException.class)
    ResponseEntity<IngestResponse> refused(IngestRefusedException e) {
        outcomes.countRefusedBody(e.outcome());
        return ResponseEntity.status(e.status())
                .body(IngestResponse.refused(new Rejection(Rejection.WHOLE_BODY, e.outcome(), e.getMessage())));
    }

    @ExceptionHandler(PublishFailedException.class)
    ResponseEntity<IngestResponse> kafkaUnavailable(PublishFailedException e) {
        log.warn("answering 503: {}", e.getMessage());
        outcomes.countRefusedBody(Outcome.KAFKA_UNAVAILABLE);
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, String.valueOf(properties.retryAfter().toSeconds()))
                .body(IngestResponse.refused(new Rejection(Rejection.WHOLE_BODY, Outcome.KAFKA_UNAVAILABLE,
                        "Kafka could not take the events in time; nothing was accepted, retry later")));
    }
}
