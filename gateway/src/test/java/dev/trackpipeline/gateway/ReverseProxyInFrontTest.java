package dev.trackpipeline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trackpipeline.infra.EmbeddedInfrastructure;
import dev.trackpipeline.infra.FreePorts;
import dev.trackpipeline.infra.testing.KafkaTestRecords;
import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.kafka.TrackHeaders;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.metrics.TrackMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The reverse proxy the project ships for a gateway facing the internet
 * ({@code deploy/nginx/track-gateway.conf}), run by a real nginx in front of a real gateway. A
 * gateway alone bounds slow clients per address, but slow clients from many addresses can still
 * hold every request thread (SlowClientsTest); behind the proxy, bodies still arriving hold none,
 * since nginx passes on only bodies that have all arrived. Stalled clients are raw sockets bound
 * to many loopback addresses (127.0.0.0/8 is all the local host on Linux). The gateway trusts the
 * proxy's X-Forwarded-For, as docker-compose configures it, so each client is still told apart.
 *
 * <p>Skipped where nginx is not installed, as the browser test is without Chromium; CI installs
 * it (Debian package {@code nginx}) and sets {@code TRACK_REQUIRE_NGINX}, so there it never is.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        // as docker-compose sets them: the proxy (here nginx at 127.0.0.1) is trusted to name the client
        "server.forward-headers-strategy=native",
        "server.tomcat.remoteip.internal-proxies=127.0.0.1/32"})
class ReverseProxyInFrontTest {

    static final Path SHIPPED = Path.of(System.getProperty("track.home", "..")).resolve("deploy/nginx");
    static final Path NGINX = Path.of("/usr/sbin/nginx");
    static final EmbeddedInfrastructure infra = EmbeddedInfrastructure.startForTests();
    static final byte[] EVENT = WebSeeFixtures.load().first("error").bodyBytes();
    static final Duration GENEROUS = Duration.ofSeconds(20);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", infra::kafkaBootstrapServers);
        registry.add("track.projects-file", () -> FixtureRecords.testProjectsFile().toString());
    }

    @AfterAll
    static void stopInfrastructure() {
        infra.close();
    }

    @Value("${local.server.port}")
    int gatewayPort;

    @Autowired
    MeterRegistry meters;

    @TempDir
    Path nginxHome;

    private Process nginx;
    private int proxyPort;
    private final List<Socket> stalled = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startTheShippedProxy() throws Exception {
        if (!"true".equals(System.getenv("TRACK_REQUIRE_NGINX"))) {
            assumeTrue(Files.isExecutable(NGINX), "Debian package nginx is not installed; the shipped reverse proxy is not checked");
        }
        proxyPort = FreePorts.one();
        startNginxBefore(gatewayPort);
        await().atMost(GENEROUS).ignoreException(java.net.ConnectException.class).until(() -> {
            assertThat(nginx.isAlive()).as("nginx running: %s", Files.readString(nginxHome.resolve("nginx.out"))).isTrue();
            return post().statusCode() == 202;
        });
        // a previous test's stalled bodies, closed, have ended
        await().atMost(GENEROUS).until(() -> gauge(TrackMeters.INGEST_BODY_READS) == 0);
    }

    private void startNginxBefore(int upstreamPort) throws IOException {
        Path config = nginxHome.resolve("nginx.conf");
        Files.writeString(config, shippedMainConfig(shippedSiteFor(upstreamPort)));
        nginx = new ProcessBuilder(NGINX.toString(), "-p", nginxHome.toString(), "-e", nginxHome.resolve("error.log").toString(),
                "-c", config.toString()).redirectErrorStream(true).redirectOutput(nginxHome.resolve("nginx.out").toFile()).start();
    }

    private void stopNginx() throws InterruptedException {
        nginx.destroy();
        if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
            nginx.destroyForcibly();
        }
    }

    @AfterEach
    void stopTheProxyAndTheStalledClients() throws Exception {
        for (Socket socket : stalled) {
            socket.close();
        }
        if (nginx != null) {
            stopNginx();
        }
    }

    /**
     * The read APIs' proxy, shipped beside the gateway's and included in the same nginx: accepted by
     * nginx with it ({@code nginx -t}). Its servers are names compose's DNS answers, resolved again
     * as they change ({@code resolve}, nginx 1.27.3 and later), which this machine's nginx predates:
     * fixed addresses stand in for them here.
     */
    @Test
    void theReadApisProxyShippedBesideItIsAcceptedByTheSameNginx() throws Exception {
        String reads = Files.readString(SHIPPED.resolve("track-read-apis.conf"));
        assertThat(reads).contains("server consumer-writer:3001 resolve;", "server consumer-aggregator:3002 resolve;", "listen 3001;",
                "listen 3002;", "proxy_max_temp_file_size 0;", "limit_conn track_reads_per_address");
        String both = shippedSiteFor(FreePorts.one()) + reads.replace("server consumer-writer:3001 resolve;", "server 127.0.0.1:" + FreePorts.one() + ";")
                .replace("server consumer-aggregator:3002 resolve;", "server 127.0.0.1:" + FreePorts.one() + ";")
                .replace("listen 3001;", "listen 127.0.0.1:" + FreePorts.one() + ";").replace("listen 3002;", "listen 127.0.0.1:" + FreePorts.one() + ";");
        Path home = Files.createDirectories(nginxHome.resolve("read-apis-check"));
        Path config = home.resolve("nginx.conf");
        Files.writeString(config, shippedMainConfig(both));

        Process check = new ProcessBuilder(NGINX.toString(), "-t", "-p", nginxHome.toString(), "-e", nginxHome.resolve("error.log").toString(),
                "-c", config.toString()).redirectErrorStream(true).start();
        String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(check.waitFor()).as(said).isZero();
        assertThat(said).contains("syntax is ok", "test is successful");
    }

    @Test
    void slowBodiesFromManyAddressesHoldNoneOfTheGatewaysRequestThreadsWhileOtherClientsAreServed() throws Exception {
        for (int address = 0; address < 20; address++) {
            for (int connection = 0; connection < 10; connection++) {
                stalled.add(sendHalfABody("127.0.0." + (10 + address), proxyPort));
            }
        }

        // Given the bodies as they come (proxy_request_buffering off), the gateway was reading 88 of them half a second later.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> gauge(TrackMeters.INGEST_BODY_READS) == 0);
        for (int post = 0; post < 20; post++) {
            HttpResponse<String> answer = post();
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            assertThat(gauge(TrackMeters.INGEST_BODY_READS)).as("bodies the gateway is reading while 200 stall at the proxy").isZero();
        }
        // Still waited for, not answered: a gateway given the bodies would have held a thread for each, then answered 408.
        assertThat(stalled).allSatisfy(socket -> assertThat(socket.getInputStream().available()).isZero());
    }

    /** What the test above would be without the proxy: each stalled body holds a request thread of the gateway. */
    @Test
    void withoutTheProxyEachSlowBodyHoldsAGatewayRequestThread() throws Exception {
        for (int address = 0; address < 4; address++) {
            for (int connection = 0; connection < 5; connection++) {
                stalled.add(sendHalfABody("127.0.0." + (10 + address), gatewayPort));
            }
        }

        await().atMost(GENEROUS).untilAsserted(() -> assertThat(gauge(TrackMeters.INGEST_BODY_READS)).isEqualTo(20));
    }

    @Test
    void refusesAnAddressBeyondItsConnectionsWithA429FromTheProxyAndWaitsForTheOthers() throws Exception {
        for (int connection = 0; connection < 32; connection++) {
            stalled.add(sendHalfABody("127.0.0.50", proxyPort));
        }

        // nginx counts a connection once it has read its request's headers: the next ones are refused once it has the 32.
        await().atMost(GENEROUS).until(() -> {
            try (Socket oneTooMany = sendHalfABody("127.0.0.50", proxyPort)) {
                String answer = readWithin(oneTooMany, Duration.ofSeconds(1));
                return answer.startsWith("HTTP/1.1 429") && answer.contains("Retry-After: 5")
                        && answer.contains("\"outcome\":\"too_many_requests\",\"reason\":\"client: more than 32 connections at once");
            }
        });
        assertThat(stalled).as("the 32 held connections, still waited for").allSatisfy(socket -> {
            assertThat(socket.isClosed()).isFalse();
            assertThat(socket.getInputStream().available()).isZero();
        });
        try (Socket anotherAddress = sendHalfABody("127.0.0.51", proxyPort)) {
            assertThat(readWithin(anotherAddress, Duration.ofSeconds(1))).as("another address's stalled body is simply waited for").isEmpty();
        }
    }

    @Test
    void refusesABodyOverTheGatewaysLimitFromItsContentLengthInTheGatewaysShapeReadableByThePage() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", proxyPort)) {
            socket.setSoTimeout((int) GENEROUS.toMillis());
            socket.getOutputStream().write(("POST /reportData HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                    + "Origin: https://shop.example\r\nContent-Length: " + (1024 * 1024 + 1) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            String answer = readWithin(socket, Duration.ofSeconds(3));

            assertThat(answer).startsWith("HTTP/1.1 413").contains("Content-Type: application/json",
                    "Access-Control-Allow-Origin: https://shop.example",
                    "{\"accepted\":0,\"rejected\":[{\"index\":-1,\"outcome\":\"body_too_large\",\"reason\":\"body: larger than 1 MiB");
        }
        assertThat(gauge(TrackMeters.INGEST_BODY_READS)).isZero();
    }

    @Test
    void answers503WithRetryAfterInTheGatewaysShapeWhenTheGatewayCannotBeReached() throws Exception {
        stopNginx();
        startNginxBefore(FreePorts.one());
        await().atMost(GENEROUS).ignoreException(java.net.ConnectException.class).until(() -> post().statusCode() == 503);

        HttpResponse<String> answer = post();

        assertThat(answer.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(answer.headers().firstValue("Access-Control-Expose-Headers")).hasValue("Retry-After");
        assertThat(answer.body()).isEqualTo("{\"accepted\":0,\"rejected\":[{\"index\":-1,\"outcome\":\"gateway_unreachable\","
                + "\"reason\":\"gateway: the proxy could not pass the request on; nothing was accepted, retry later\"}]}");
    }

    /** A body over 128 KB is buffered to a file while it arrives; when that fails (compose's tmpfs full), the proxy says so. */
    @Test
    void answers503OverloadedInTheGatewaysShapeWhenItCannotBufferABody() throws Exception {
        try (var temporaryFiles = Files.walk(nginxHome.resolve("body"))) {
            temporaryFiles.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        byte[] largerThanTheMemoryBuffer = new byte[200 * 1024];
        Arrays.fill(largerThanTheMemoryBuffer, (byte) ' ');

        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/reportData"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(largerThanTheMemoryBuffer)).header("Content-Type", "application/json")
                .header("Origin", "https://shop.example").timeout(GENEROUS).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(answer.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://shop.example");
        assertThat(answer.body()).isEqualTo("{\"accepted\":0,\"rejected\":[{\"index\":-1,\"outcome\":\"overloaded\","
                + "\"reason\":\"proxy: could not hold the request (its body buffers are full); nothing was accepted, retry later\"}]}");
    }

    @Test
    void passesOnARequestWithoutAHostHeader() throws Exception {
        try (Socket client = new Socket("127.0.0.1", proxyPort)) {
            client.setSoTimeout((int) GENEROUS.toMillis());
            client.getOutputStream().write(("POST /reportData HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: " + EVENT.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().write(EVENT);

            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 202");
        }
    }

    /** The image's default 1,024 connections a worker were all taken by 32 addresses at the per-address limit. */
    @Test
    void servesABrowserWhileFortyAddressesHoldEveryConnectionTheyMay() throws Exception {
        for (int address = 0; address < 40; address++) {
            for (int connection = 0; connection < 32; connection++) {
                stalled.add(sendHalfABody("127.0.1." + (10 + address), proxyPort));
            }
        }

        HttpResponse<String> browser = post();

        assertThat(browser.statusCode()).as(browser.body()).isEqualTo(202);
        assertThat(gauge(TrackMeters.INGEST_BODY_READS)).isZero();
    }

    /** The reasons the proxy gives are the gateway's vocabulary (common-model's Outcome), nothing of its own. */
    @Test
    void namesOnlyOutcomesTheGatewayKnows() throws Exception {
        Matcher outcomes = Pattern.compile("\"outcome\":\"([a-z_]+)\"").matcher(Files.readString(SHIPPED.resolve("track-gateway.conf")));
        List<String> named = new ArrayList<>();
        while (outcomes.find()) {
            named.add(outcomes.group(1));
        }

        assertThat(named).containsExactly("body_too_large", "too_many_requests", "overloaded", "gateway_unreachable");
        assertThat(Arrays.stream(Outcome.values()).map(Outcome::code)).containsAll(named);
    }

    /** nginx sets X-Forwarded-For to the address it saw, so what a client claims there never reaches the gateway. */
    @Test
    void tellsClientsApartByTheAddressTheProxySawWhateverTheyClaim() throws Exception {
        String marker = "behind-the-proxy-" + UUID.randomUUID();
        byte[] event = new String(EVENT, StandardCharsets.UTF_8).replaceFirst("\"uuid\":\"[^\"]+\"", "\"uuid\":\"" + marker + "\"")
                .getBytes(StandardCharsets.UTF_8);

        try (Socket client = new Socket()) {
            client.bind(new InetSocketAddress("127.0.0.60", 0));
            client.connect(new InetSocketAddress("127.0.0.1", proxyPort));
            client.setSoTimeout((int) GENEROUS.toMillis());
            String headers = "POST /reportData HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "X-Forwarded-For: 203.0.113.9\r\nConnection: close\r\nContent-Length: " + event.length + "\r\n\r\n";
            client.getOutputStream().write(headers.getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().write(event);

            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 202");
        }
        assertThat(KafkaTestRecords.readAll(infra.kafkaBootstrapServers(), "track.error")).filteredOn(record ->
                new String(record.value(), StandardCharsets.UTF_8).contains(marker)).singleElement().satisfies(record ->
                assertThat(new String(record.headers().lastHeader(TrackHeaders.CLIENT_HASH).value(), StandardCharsets.UTF_8))
                        .isEqualTo(ClientLimitsTest.hash("127.0.0.60")));
    }

    /** The shipped site with the gateway's and the proxy's ports of this test: it must still name what they replace. */
    private String shippedSiteFor(int upstreamPort) throws IOException {
        String shipped = Files.readString(SHIPPED.resolve("track-gateway.conf"));
        assertThat(shipped).contains("server gateway:3000 resolve;", "listen 3000;");
        return shipped.replace("server gateway:3000 resolve;", "server 127.0.0.1:" + upstreamPort + ";")
                .replace("listen 3000;", "listen 127.0.0.1:" + proxyPort + ";");
    }

    /** The shipped nginx.conf with every path in the test's directory, including the site above. */
    private String shippedMainConfig(String site) throws IOException {
        Path sitePath = nginxHome.resolve("track-gateway.conf");
        Files.writeString(sitePath, site);
        String shipped = Files.readString(SHIPPED.resolve("nginx.conf"));
        String home = nginxHome.toString();
        assertThat(shipped).contains("user nginx;", "pid /var/run/nginx.pid;", "error_log /var/log/nginx/error.log warn;",
                "include /etc/nginx/conf.d/*.conf;");
        // As root, nginx would run its workers as nobody, who cannot write the temporary directory.
        String user = "root".equals(System.getProperty("user.name")) ? "user root;" : "";
        return shipped.replace("user nginx;", user).replace("pid /var/run/nginx.pid;", "pid " + home + "/nginx.pid;")
                .replace("error_log /var/log/nginx/error.log warn;", "error_log " + home + "/error.log warn;\ndaemon off;")
                .replace("include /etc/nginx/conf.d/*.conf;", "client_body_temp_path " + home + "/body;\n    proxy_temp_path " + home
                        + "/proxy;\n    fastcgi_temp_path " + home + "/fastcgi;\n    uwsgi_temp_path " + home + "/uwsgi;\n    scgi_temp_path "
                        + home + "/scgi;\n    include " + sitePath + ";");
    }

    private HttpResponse<String> post() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/reportData"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(EVENT)).header("Content-Type", "application/json")
                .timeout(GENEROUS).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Headers and the first half of a body whose Content-Length promises all of it, from the given local address, then nothing. */
    private static Socket sendHalfABody(String fromAddress, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(fromAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout((int) GENEROUS.toMillis());
        String headers = "POST /reportData HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + EVENT.length + "\r\n\r\n";
        socket.getOutputStream().write(headers.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(EVENT, 0, EVENT.length / 2);
        socket.getOutputStream().flush();
        return socket;
    }

    /** What the socket received until it was closed or nothing more came for this long: empty when nothing came (still waited for). */
    private static String readWithin(Socket socket, Duration quiet) throws IOException {
        socket.setSoTimeout((int) quiet.toMillis());
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        try {
            for (int read; (read = socket.getInputStream().read(buffer)) > 0; ) {
                text.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
            }
        } catch (SocketTimeoutException nothingMore) {
            // what came so far is the answer
        }
        return text.toString();
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }
}
