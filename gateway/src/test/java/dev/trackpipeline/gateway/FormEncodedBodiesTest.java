package dev.trackpipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.filter.FormContentFilter;
import org.springframework.web.filter.HiddenHttpMethodFilter;

/**
 * A form-encoded body is read by nothing before the gateway's own bounds. Spring's FormContentFilter
 * (on by default) read the whole body of any PUT, PATCH or DELETE sent as
 * application/x-www-form-urlencoded, to any path, into the heap: one 40 MB PUT took the 256 MB heap
 * to 236 MB, two of 60 MB at once ended in OutOfMemoryError.
 *
 * <p>Runs in a JVM of its own with the services' production heap ({@code -Xmx256m}, see this module's
 * pom), which it shares with its Kafka broker.
 */
@Tag("production-heap")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FormEncodedBodiesTest {

    static final long FORTY_MB = 40L * 1024 * 1024;
    /** A 40 MB body sent with application/json, which the gateway never buffers, peaks at about 70 MB of heap. */
    static final long HEAP_PEAK_BOUND = 150L * 1024 * 1024;

    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stop() {
        infra.close();
    }

    @Value("${local.server.port}")
    int port;

    @Test
    void hasNoFilterThatReadsAFormBodyBeforeTheGateway(@Autowired ApplicationContext context) {
        assertThat(context.getBeansOfType(FormContentFilter.class)).isEmpty();
        assertThat(context.getBeansOfType(HiddenHttpMethodFilter.class)).isEmpty();
    }

    @Test
    void answersA40MbFormPutToReportDataWithoutHoldingItsBodyInTheHeap() throws Exception {
        long peak = heapPeakWhileSending("PUT", "/reportData", FORTY_MB);

        assertThat(peak).as("heap peak while a 40 MB form PUT is answered").isLessThan(HEAP_PEAK_BOUND);
        assertThat(postACapturedEvent()).as("a browser's post after it").isEqualTo(202);
    }

    @Test
    void answersA40MbFormPatchToAnUnknownPathWithoutHoldingItsBodyInTheHeap() throws Exception {
        long peak = heapPeakWhileSending("PATCH", "/anything", FORTY_MB);

        assertThat(peak).as("heap peak while a 40 MB form PATCH is answered").isLessThan(HEAP_PEAK_BOUND);
        assertThat(postACapturedEvent()).as("a browser's post after it").isEqualTo(202);
    }

    /** The most the heap held, garbage included, while a form body of {@code size} bytes was sent and answered. */
    private long heapPeakWhileSending(String method, String path, long size) throws IOException {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Connection: close\r\nContent-Length: " + size + "\r\n\r\na=").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'b');
            try {
                for (long sent = 2; sent < size; sent += chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, size - sent));
                }
                out.flush();
                socket.getInputStream().readAllBytes();
            } catch (IOException closedBeforeTheEnd) {
                // the gateway may answer and close the connection without reading the rest, as it does for other bodies it refuses
            }
        }
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
                .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    }

    private int postACapturedEvent() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reportData"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(WebSeeFixtures.load().first("error").bodyBytes()))
                .header("Content-Type", "text/plain;charset=UTF-8").build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
