package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.ingest.AcceptedEvent;
import dev.trackpipeline.model.ingest.IngestBatch;
import dev.trackpipeline.model.ingest.IngestBatchReader;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.ingest.Rejection;
import dev.trackpipeline.model.metrics.TrackMeters;
import dev.trackpipeline.model.project.Project;
import dev.trackpipeline.model.project.ProjectRegistry;
import dev.trackpipeline.runtime.ProjectCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /reportData}: a client address over its request rate is refused before anything else
 * ({@link RequestsPerClientFilter}); then read the body within limits (its bytes charged to its
 * client, {@link BytesPerClient}), validate each event (common-model), check its project, origin,
 * rate limit and the client's share of it, publish the rest and answer 202 once Kafka holds them.
 * The request thread does not wait for Kafka: the answer completes when Kafka does.
 * Until its events are handed to Kafka, a request holds its body, its events and their trees
 * within {@link ParsingMemory}; from then on, its events within {@link InFlightEvents}.
 */
@RestController
public class ReportDataController {

    private static final Logger log = LoggerFactory.getLogger(ReportDataController.class);
    private static final Set<Outcome> FORBIDDEN = Set.of(Outcome.UNKNOWN_APIKEY, Outcome.ORIGIN_NOT_ALLOWED);
    private static final Set<Outcome> RATE_LIMITS = Set.of(Outcome.RATE_LIMITED, Outcome.CLIENT_RATE_LIMITED);

    private final IngestBatchReader batchReader;
    private final RequestBodyReader bodyReader;
    private final ProjectCatalog projects;
    private final ProjectRateLimits rateLimits;
    private final EventPublisher publisher;
    private final ClientAddressHash clientHash;
    private final GatewayProperties properties;
    private final IngestOutcomes outcomes;
    private final InFlightEvents inFlight;
    private final ParsingMemory parsing;
    private final BodyReadsPerClient bodyReads;
    private final RequestsPerClient requests;
    private final BytesPerClient bytes;
    private final Clock clock;

    public ReportDataController(IngestBatchReader batchReader, IngestLimits limits, ProjectCatalog projects,
                                ProjectRateLimits rateLimits, EventPublisher publisher, GatewayProperties properties,
                                ParsingMemory parsing, BodyReadsPerClient bodyReads, RequestsPerClient requests,
                                BytesPerClient bytes, MeterRegistry meters, Clock clock) {
        this.batchReader = batchReader;
        this.bodyReader = new RequestBodyReader(limits, properties.bodyReadTimeout());
        this.projects = projects;
        this.rateLimits = rateLimits;
        this.publisher = publisher;
        this.clientHash = new ClientAddressHash(properties.clientHashSalt());
        this.properties = properties;
        this.outcomes = new IngestOutcomes(meters);
        this.inFlight = InFlightEvents.withDefaultShares(properties.maxInFlight().toBytes());
        meters.gauge(TrackMeters.INGEST_IN_FLIGHT_BYTES, inFlight, InFlightEvents::bytes);
        this.parsing = parsing;
        this.bodyReads = bodyReads;
        this.requests = requests;
        this.bytes = bytes;
        this.clock = clock;
    }

    /** Its client's request rate is checked before this, as every request's that carries a body ({@link RequestsPerClientFilter}). */
    @PostMapping("/reportData")
    public CompletableFuture<ResponseEntity<IngestResponse>> reportData(HttpServletRequest request) throws IOException {
        Instant receivedAt = clock.instant();
        RequestBodyReader.requireSupportedContentType(request.getContentType());
        try (ParsingMemory.Lease memory = parsing.lease()) {
            byte[] body = bodyReads.read(request.getRemoteAddr(), () -> bodyReader.read(request.getInputStream(),
                    request.getContentLengthLong(), request.getHeader(HttpHeaders.CONTENT_ENCODING), memory,
                    read -> bytes.charged(request.getRemoteAddr(), read)));
            return ingest(body, receivedAt, request, memory);
        }
    }

    /**
     * The SDK's image-beacon transport ({@code useImgUpload}): {@code GET /reportData?data=<JSON>}.
     * Only small events fit in a URL; the rest of the path is the same as a POST.
     */
    @GetMapping(path = "/reportData", params = "data")
    public CompletableFuture<ResponseEntity<IngestResponse>> imageBeacon(@RequestParam String data, HttpServletRequest request) {
        requests.admit(request.getRemoteAddr());
        try (ParsingMemory.Lease memory = parsing.lease()) {
            return ingest(data.getBytes(StandardCharsets.UTF_8), clock.instant(), request, memory);
        }
    }

    private CompletableFuture<ResponseEntity<IngestResponse>> ingest(byte[] body, Instant receivedAt, HttpServletRequest request,
                                                                     ParsingMemory.Lease memory) {
        // room for the events cut out of the body: they stay until Kafka has them
        if (!memory.tryTake(body.length)) {
            throw RequestBodyReader.overloaded();
        }
        IngestBatch batch = batchReader.read(body, memory);
        String address = request.getRemoteAddr();
        String client = ClientBlock.of(address);
        List<Rejection> rejected = new ArrayList<>(batch.rejected());
        // One look at the registry per request: it may be reloaded meanwhile, and a project removed.
        Map<Project, List<AcceptedEvent>> permitted = permittedByProject(projects.current(), batch.accepted(),
                Optional.ofNullable(request.getHeader(HttpHeaders.ORIGIN)), rejected);
        Duration retryAfter = Duration.ZERO;
        List<AcceptedEvent> accepted = new ArrayList<>();
        List<ProjectRateLimits.Admission> admissions = new ArrayList<>();
        for (Map.Entry<Project, List<AcceptedEvent>> project : permitted.entrySet()) {
            Project owner = project.getKey();
            List<AcceptedEvent> events = project.getValue();
            ProjectRateLimits.Admission admission = rateLimits.admit(owner, client, events.size());
            admissions.add(admission);
            accepted.addAll(events.subList(0, admission.admitted()));
            int withinShare = admission.admitted() + admission.overProjectLimit();
            for (AcceptedEvent over : events.subList(admission.admitted(), withinShare)) {
                rejected.add(new Rejection(over.index(), Outcome.RATE_LIMITED, "apikey: project \"" + owner.apikey()
                        + "\" is over its rate limit of " + owner.rateLimit().eventsPerSecond() + " events/s", over.type()));
            }
            for (AcceptedEvent over : events.subList(withinShare, events.size())) {
                rejected.add(new Rejection(over.index(), Outcome.CLIENT_RATE_LIMITED, "client: this address is over its share of"
                        + " project \"" + owner.apikey() + "\"'s rate limit (clientShare): " + admission.clientShare().eventsPerSecond()
                        + " events/s, burst " + admission.clientShare().burst() + ", of the project's " + owner.rateLimit().eventsPerSecond()
                        + " events/s, burst " + owner.rateLimit().burst(), over.type()));
            }
            retryAfter = longest(retryAfter, admission.overProjectLimit() > 0 ? admission.projectRetryAfter() : Duration.ZERO);
            retryAfter = longest(retryAfter, admission.overClientShare() > 0 ? admission.clientRetryAfter() : Duration.ZERO);
        }
        rejected.sort(Comparator.comparingInt(Rejection::index));

        if (accepted.isEmpty()) {
            outcomes.count(accepted, rejected);
            return CompletableFuture.completedFuture(refusedAll(rejected, retryAfter));
        }
        long acceptedBytes = accepted.stream().mapToLong(event -> event.rawJson().length).sum();
        // A 503 (refused for the gateway's sake, not the client's) spends none of the rate limits' tokens.
        Runnable giveBackTokens = () -> admissions.forEach(ProjectRateLimits.Admission::giveBack);
        if (!inFlight.tryAdmit(acceptedBytes)) {
            giveBackTokens.run();
            outcomes.countUndelivered(accepted, Outcome.OVERLOADED);
            outcomes.count(List.of(), rejected);
            return CompletableFuture.completedFuture(overloaded());
        }
        CompletableFuture<?> publishing;
        try {
            publishing = publisher.publish(accepted, receivedAt, clientHash.of(address));
        } catch (RuntimeException e) {
            inFlight.release(acceptedBytes);
            giveBackTokens.run();
            throw e;
        }
        return publishing.handle((published, failure) -> {
            inFlight.release(acceptedBytes);
            if (failure != null) {
                giveBackTokens.run();
                log.warn("answering 503: {}", failure.getMessage());
                outcomes.countUndelivered(accepted, Outcome.KAFKA_UNAVAILABLE);
                outcomes.count(List.of(), rejected);
                return kafkaUnavailable();
            }
            outcomes.count(accepted, rejected);
            return ResponseEntity.status(HttpStatus.ACCEPTED).body(new IngestResponse(accepted.size(),
                    rejected.stream().map(IngestResponse.RejectedEvent::of).toList()));
        });
    }

    /**
     * Events of projects the registry holds, from origins those projects allow, under their project;
     * the others become rejections.
     */
    static Map<Project, List<AcceptedEvent>> permittedByProject(ProjectRegistry registry, List<AcceptedEvent> events,
                                                               Optional<String> origin, List<Rejection> rejected) {
        Map<Project, List<AcceptedEvent>> permitted = new LinkedHashMap<>();
        for (AcceptedEvent event : events) {
            Optional<Project> project = registry.find(event.apikey());
            if (project.isEmpty()) {
                rejected.add(new Rejection(event.index(), Outcome.UNKNOWN_APIKEY,
                        "apikey: \"" + event.apikey() + "\" is not a registered project", event.type()));
            } else if (origin.isPresent() && !project.get().allowsOrigin(origin.get())) {
                rejected.add(new Rejection(event.index(), Outcome.ORIGIN_NOT_ALLOWED,
                        "Origin: " + origin.get() + " is not allowed for project \"" + event.apikey() + "\"", event.type()));
            } else {
                permitted.computeIfAbsent(project.get(), owner -> new ArrayList<>()).add(event);
            }
        }
        return permitted;
    }


    private ResponseEntity<IngestResponse> refusedAll(List<Rejection> rejected, Duration retryAfter) {
        IngestResponse body = new IngestResponse(0, rejected.stream().map(IngestResponse.RejectedEvent::of).toList());
        if (rejected.stream().anyMatch(rejection -> rejection.outcome() == Outcome.OVERLOADED)) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, String.valueOf(properties.retryAfter().toSeconds())).body(body);
        }
        if (rejected.stream().anyMatch(rejection -> RATE_LIMITS.contains(rejection.outcome()))) {
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                    .header(HttpHeaders.RETRY_AFTER, RetryAfter.seconds(retryAfter)).body(body);
        }
        if (rejected.stream().allMatch(rejection -> FORBIDDEN.contains(rejection.outcome()))) {
            return ResponseEntity.status(HttpStatus.FORBIDDEN).body(body);
        }
        if (rejected.stream().anyMatch(rejection -> rejection.outcome() == Outcome.BODY_TOO_LARGE)) {
            return ResponseEntity.status(HttpStatus.PAYLOAD_TOO_LARGE).body(body);
        }
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(body);
    }

    private ResponseEntity<IngestResponse> kafkaUnavailable() {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, String.valueOf(properties.retryAfter().toSeconds()))
                .body(IngestResponse.refused(new Rejection(Rejection.WHOLE_BODY, Outcome.KAFKA_UNAVAILABLE,
                        "Kafka could not take the events in time; nothing was accepted, retry later")));
    }

    private ResponseEntity<IngestResponse> overloaded() {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, String.valueOf(properties.retryAfter().toSeconds()))
                .body(IngestResponse.refused(new Rejection(Rejection.WHOLE_BODY, Outcome.OVERLOADED,
                        "the gateway already has " + inFlight.limitBytes() + " bytes of events waiting for Kafka; nothing was accepted, retry later")));
    }

    private static Duration longest(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @ExceptionHandler(IngestRefusedException.class)
    ResponseEntity<IngestResponse> refused(IngestRefusedException e) {
        outcomes.count(List.of(), List.of(new Rejection(Rejection.WHOLE_BODY, e.outcome(), e.getMessage())));
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(e.status());
        if (e.retryAfter().isPresent()) {
            answer.header(HttpHeaders.RETRY_AFTER, RetryAfter.seconds(e.retryAfter().get()));
        } else if (e.status() == HttpStatus.SERVICE_UNAVAILABLE) {
            answer.header(HttpHeaders.RETRY_AFTER, String.valueOf(properties.retryAfter().toSeconds()));
        }
        if (e.outcome() == Outcome.TOO_MANY_REQUESTS) {
            // its body is left unread and the connection closed (SlowBodyReads), which Tomcat says itself only after a 503 or 408
            answer.header(HttpHeaders.CONNECTION, "close");
        }
        return answer.body(IngestResponse.refused(new Rejection(Rejection.WHOLE_BODY, e.outcome(), e.getMessage())));
    }
}
