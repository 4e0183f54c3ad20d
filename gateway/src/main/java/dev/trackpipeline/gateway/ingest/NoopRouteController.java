package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.ingest.Rejection;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /bench/noop}: reads the body as {@code /reportData} does and answers 202 without
 * parsing, validating or publishing it. The benchmark measures {@code /reportData} against this
 * route of the same server, which is as fast as that HTTP stack gets on that machine. Off unless
 * {@code track.gateway.bench-noop-route=true}; {@code bin/track bench} turns it on.
 */
@RestController
@ConditionalOnProperty(name = "track.gateway.bench-noop-route", havingValue = "true")
public class NoopRouteController {

    private static final String ANSWER = "{\"accepted\":0,\"rejected\":[]}";

    private final RequestBodyReader bodyReader;
    private final ParsingMemory parsing;
    private final BodyReadsPerClient bodyReads;

    public NoopRouteController(IngestLimits limits, GatewayProperties properties, ParsingMemory parsing, BodyReadsPerClient bodyReads) {
        this.bodyReader = new RequestBodyReader(limits, properties.bodyReadTimeout());
        this.parsing = parsing;
        this.bodyReads = bodyReads;
    }

    @PostMapping("/bench/noop")
    public ResponseEntity<String> noop(HttpServletRequest request) throws IOException {
        try (ParsingMemory.Lease memory = parsing.lease()) {
            byte[] body = bodyReads.read(request.getRemoteAddr(), () -> bodyReader.read(request.getInputStream(),
                    request.getContentLengthLong(), request.getHeader(HttpHeaders.CONTENT_ENCODING), memory));
            return ResponseEntity.status(HttpStatus.ACCEPTED).contentType(MediaType.APPLICATION_JSON)
                    .header("X-Body-Bytes", String.valueOf(body.length)).body(ANSWER);
        }
    }

    /** The refusals /reportData gives before parsing (size, memory, a slow or busy client), so the benchmark sees them as such. */
    @ExceptionHandler(IngestRefusedException.class)
    ResponseEntity<IngestResponse> refused(IngestRefusedException e) {
        return ResponseEntity.status(e.status()).body(IngestResponse.refused(new Rejection(Rejection.WHOLE_BODY, e.outcome(), e.getMessage())));
    }
}
