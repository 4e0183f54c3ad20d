package dev.trackpipeline.gateway.ingest;

import dev.trackpipeline.model.ingest.Rejection;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.error.ErrorPage;
import org.springframework.boot.web.error.ErrorPageRegistrar;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * How Tomcat treats request bodies that come slowly or not at all, so that no client can keep a
 * request thread past the body-read timeout (see {@link DeadlineInputStream}, {@link BodyReadsPerClient}).
 * Left as it is, Tomcat lets a client keep one in three places (Tomcat 11's Http11Processor):
 *
 * <ul>
 * <li>A blocking read of a body waits as long as the connection timeout (60 s), and that wait starts
 * again with every byte, so the deadline would not be checked while a client sends nothing. Tomcat's
 * upload timeout takes that wait's place while a request is being read (the connection timeout,
 * which also bounds headers and idle keep-alive connections, is back once it is done), and is set to
 * the body-read timeout: a read that waited that long means the body cannot have come in time.
 * <li>When that wait runs out, Tomcat answers 408 itself before the read fails, and what the request
 * writes afterwards is dropped. Its error page for 408 is therefore the gateway's usual refusal, so a
 * stalled client and a slow one get the same answer.
 * <li>After answering a request whose body was not read to its end (refused for time, for its
 * client's bound, for its size or type, or sent to a path that reads none), Tomcat reads and drops
 * the rest, up to 2 MiB, so that the client sees the answer rather than a reset; but at the client's
 * pace, on the request thread, outside the deadline and the per-client bound, for any path. So the
 * gateway drops the rest itself, within the same bounds as any body read (as after a 413 or 415),
 * and otherwise closes the connection without reading it: at once after a 408, 429 or 503, which
 * say the gateway will not read the body now (a 429 with its body unread is a client over its
 * request rate, {@link RequestsPerClient}, whose body is the very work that limit saves), and after
 * an error page (404, 405), which closes the body's stream. A client still sending then may see a
 * reset rather than the answer.
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class SlowBodyReads {

    static final String TIMED_OUT_PAGE = "/error/body-timeout";

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> slowBodyReadsOnTomcat(GatewayProperties properties,
                                                                                   ObjectProvider<BodyReadsPerClient> bodyReads) {
        return factory -> {
            factory.addConnectorCustomizers(connector -> {
                if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
                    http.setDisableUploadTimeout(false);
                    http.setConnectionUploadTimeout((int) properties.bodyReadTimeout().toMillis());
                }
            });
            // looked up at the first request: the server is built before the meters it would bring along
            factory.addEngineValves(new UnreadBodies(bodyReads::getObject, properties.bodyReadTimeout()));
        };
    }

    @Bean
    ErrorPageRegistrar bodyTimedOutPage() {
        return registry -> registry.addErrorPages(new ErrorPage(HttpStatus.REQUEST_TIMEOUT, TIMED_OUT_PAGE));
    }

    /**
     * What is left of a body when its request has been answered: dropped by the gateway within the
     * body-read timeout and its client's bound, else left unread and the connection closed.
     */
    static final class UnreadBodies extends ValveBase {

        /** Tomcat's own bound (maxSwallowSize): a longer rest is not worth a thread. */
        static final int MOST_DROPPED = 2 * 1024 * 1024;

        private final Supplier<BodyReadsPerClient> bodyReads;
        private final Duration timeout;

        UnreadBodies(Supplier<BodyReadsPerClient> bodyReads, Duration timeout) {
            super(true);
            this.bodyReads = bodyReads;
            this.timeout = timeout;
        }

        @Override
        public void invoke(Request request, Response response) throws IOException, ServletException {
            getNext().invoke(request, response);
            if (request.isAsync()) {
                return; // /reportData waits for Kafka only once it has read its body to the end
            }
            AtomicBoolean fullyRead = new AtomicBoolean(true);
            request.getCoyoteRequest().action(ActionCode.REQUEST_BODY_FULLY_READ, fullyRead);
            if (fullyRead.get()) {
                return;
            }
            int status = response.getStatus();
            boolean notNow = status == HttpStatus.REQUEST_TIMEOUT.value() || status == HttpStatus.SERVICE_UNAVAILABLE.value()
                    || status == HttpStatus.TOO_MANY_REQUESTS.value();
            if (notNow || !droppedTheRest(request)) {
                request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
            }
        }

        private boolean droppedTheRest(Request request) {
            try {
                return bodyReads.get().read(request.getRemoteAddr(), () -> {
                    InputStream rest = new DeadlineInputStream(request.getInputStream(), timeout, System::nanoTime,
                            () -> RequestBodyReader.timedOut(timeout));
                    byte[] scratch = new byte[8 * 1024];
                    long dropped = 0;
                    for (int read; (read = rest.read(scratch)) != -1; ) {
                        dropped += read;
                        if (dropped > MOST_DROPPED) {
                            return false;
                        }
                    }
                    return true;
                });
            } catch (IngestRefusedException | IOException | IllegalStateException e) {
                // its client's bound is full, the deadline passed, the client went away, or the stream is closed:
                // Tomcat closes it once an error page (404, 405) has answered
                return false;
            }
        }
    }

    /** Tomcat's 408 for a body read that timed out, as the gateway's refusal. */
    @Hidden
    @RestController
    static class TimedOutAnswer {

        private final GatewayProperties properties;

        TimedOutAnswer(GatewayProperties properties) {
            this.properties = properties;
        }

        @RequestMapping(TIMED_OUT_PAGE)
        ResponseEntity<IngestResponse> timedOut(HttpServletRequest request) {
            if (request.getDispatcherType() != DispatcherType.ERROR) {
                // only Tomcat's error dispatch may answer this: anyone else asking gets what an unknown path gets
                return ResponseEntity.notFound().build();
            }
            IngestRefusedException refused = RequestBodyReader.timedOut(properties.bodyReadTimeout());
            return ResponseEntity.status(refused.status())
                    .body(IngestResponse.refused(new Rejection(Rejection.WHOLE_BODY, refused.outcome(), refused.getMessage())));
        }
    }
}
