package dev.trackpipeline.bench;

import com.mongodb.client.MongoClients;
import dev.trackpipeline.launcher.Service;
import dev.trackpipeline.launcher.ServiceProcess;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.infra.InfrastructureDefaults;
import dev.trackpipeline.model.kafka.ConsumerGroups;
import dev.trackpipeline.model.kafka.TopicNames;
import dev.trackpipeline.writer.store.MongoOutages;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The read side at production size ({@code bin/track bench --reads}): a project's month of
 * history ({@link ProductionHistory}) goes through Kafka into the real writer and aggregator,
 * then every read API a user or the dashboard calls is timed over HTTP, one call at a time, with
 * what it cost Redis (its own INFO counters) and the serving process's heap. The figures are the
 * services' answers as a client meets them, on whatever stores the services run on: the
 * MongoDB-wire stand-in here, which scans a collection for every query (no secondary indexes).
 */
final class ReadsBench {

    record Options(Path home, Path capturedTraffic, String mode, ProductionHistory.Shape shape, int repetitions, Duration budgetPerRead) {
    }

    static final String READ_TOKEN = "bench-read-token";
    /** Every window the dashboard offers (index.html), and the longest the API reads. */
    static final List<String> WINDOWS = List.of("15m", "1h", "6h", "24h", "7d", "30d");
    private static final String APIKEY = TrafficMix.APIKEY;
    private static final Duration FILL_LIMIT = Duration.ofMinutes(60);
    private static final Duration ANSWER_LIMIT = Duration.ofMinutes(2);
    /** The longest a cursor is followed page by page to reach the deep page it reads. */
    private static final Duration CURSOR_WALK_LIMIT = Duration.ofMinutes(3);
    private static final int WARM_UP_CALLS = 2;
    /** Dashboards refreshing back to back while a burst is counted: none, then twice the read connections. */
    private static final List<Integer> READERS = List.of(0, 8);
    /** Issue 21's targets: every metrics read and the writer's first pages, and one dashboard refresh at 7 d. */
    private static final Target READ = new Target(100, null);
    private static final Target REFRESH = new Target(200, 5_000L);
    /** Page size of the writer's lists in the reads: the API's default, as the seed server's clients ask. */
    private static final int PAGE_SIZE = 20;

    private final Options options;
    private final ProgressLines progress;
    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The dashboard's four calls at once, each on a thread of its own waiting for its answer. */
    private final ExecutorService browser = Executors.newFixedThreadPool(4, runnable -> {
        Thread thread = new Thread(runnable, "bench-dashboard");
        thread.setDaemon(true);
        return thread;
    });

    ReadsBench(Options options, PrintStream progress) {
        this.options = options;
        this.progress = new ProgressLines(progress);
    }

    ReadsReport.Results run(Path workDir) throws Exception {
        Path projects = PipelineServices.writeProjects(workDir.resolve("projects.yml"), APIKEY, READ_TOKEN);
        progress.step("starting the infrastructure (bin/track infra) in a process of its own, then the writer and the aggregator");
        try (InfraChild infra = InfraChild.start(options.home(), workDir.resolve("data"), Duration.ofMinutes(3));
             PipelineServices services = new PipelineServices(options.home(), infra, projects, workDir.resolve("logs"));
             Jedis redis = new Jedis("127.0.0.1", Integer.parseInt(infra.environment().get("REDIS_PORT")))) {
            services.start(List.of(Service.WRITER, Service.AGGREGATOR));
            Instant historyEnds = Instant.now();
            ProductionHistory.Shape shape = options.shape();
            progress.step(String.format(Locale.ROOT, "publishing %,d events over %d days and %d recordings of %d chunks to Kafka, as the gateway would",
                    shape.events(), shape.span().toDays(), shape.recordings(), shape.chunksPerRecording()));
            ProductionHistory.Published published = ProductionHistory.publish(infra.kafkaBootstrapServers(), options.capturedTraffic(), shape,
                    historyEnds);
            ReadsReport.History history = fill(infra, redis, published);
            // The metrics first, while the history's last minutes are still in the short windows.
            double newestMinutesBeforeReads = Duration.between(historyEnds, Instant.now()).toSeconds() / 60.0;
            List<ReadsReport.Check> checks = new ArrayList<>();
            List<ReadsReport.Read> reads = new ArrayList<>(aggregatorReads(services.of(Service.AGGREGATOR), redis, published, checks));
            List<ReadsReport.CountingUnderReads> counting = countingUnderReads(infra, services.of(Service.AGGREGATOR));
            // The writer's reads last: at this size they can run the stand-in, and Kafka with it, out of heap.
            reads.addAll(writerReads(services.of(Service.WRITER), history));
            String infrastructure = infra.stoppedBecause();
            if (infrastructure != null) {
                progress.step("the infrastructure's JVM stopped during the writer's reads: " + infrastructure);
            }
            return new ReadsReport.Results(history, newestMinutesBeforeReads, reads, checks, counting,
                    infrastructure == null ? "still running after every read" : "stopped during the writer's reads (" + infrastructure + ")");
        } finally {
            browser.shutdownNow();
        }
    }

    /** Waits for both consumers to have committed all of the history published. */
    private ReadsReport.History fill(InfraChild infra, Jedis redis, ProductionHistory.Published published) throws Exception {
        progress.step(String.format(Locale.ROOT, "published in %.0f s; waiting for the writer and the aggregator", published.took().toNanos() / 1e9));
        Map<String, Double> finished = new LinkedHashMap<>();
        long fillStarted = System.nanoTime() - published.took().toNanos();
        long deadline = System.nanoTime() + FILL_LIMIT.toNanos();
        long lastReport = System.nanoTime();
        try (KafkaOffsets offsets = new KafkaOffsets(infra.kafkaBootstrapServers(), TopicNames.defaults().eventTopics(new EventFamilies()))) {
            long end = KafkaOffsets.sum(offsets.ends().values());
            while (finished.size() < 2) {
                for (String group : List.of(ConsumerGroups.WRITER, ConsumerGroups.AGGREGATOR)) {
                    if (!finished.containsKey(group) && offsets.committed(group) >= end) {
                        finished.put(group, (System.nanoTime() - fillStarted) / 1e9);
                        progress.step(String.format(Locale.ROOT, "%s holds all %,d records, %.0f s after publishing began", group, end,
                                finished.get(group)));
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the consumers did not store the history within " + FILL_LIMIT + ": writer at "
                            + offsets.committed(ConsumerGroups.WRITER) + ", aggregator at " + offsets.committed(ConsumerGroups.AGGREGATOR)
                            + " of " + end);
                }
                if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(30)) {
                    lastReport = System.nanoTime();
                    progress.step(String.format(Locale.ROOT, "stored so far: writer %,d, aggregator %,d of %,d", offsets.committed(ConsumerGroups.WRITER),
                            offsets.committed(ConsumerGroups.AGGREGATOR), end));
                }
                TimeUnit.SECONDS.sleep(1);
            }
        }
        long documents;
        try (var mongo = MongoClients.create(infra.environment().get("MONGODB_URI"))) {
            var database = mongo.getDatabase(InfrastructureDefaults.MONGO_DATABASE);
            // The events' collections: the writer's probe of a store that refused a record is not an event.
            documents = database.listCollectionNames().into(new ArrayList<>()).stream().filter(name -> !name.equals(MongoOutages.PROBE_COLLECTION))
                    .mapToLong(name -> database.getCollection(name).estimatedDocumentCount()).sum();
        }
        double redisMiB = infoField(redis.info("memory"), "used_memory") / (1024.0 * 1024);
        return new ReadsReport.History(published.records(), published.took().toNanos() / 1e9, finished.get(ConsumerGroups.WRITER),
                finished.get(ConsumerGroups.AGGREGATOR), documents, redis.dbSize(), redisMiB, published.longRecordingId(), published.newestErrorId());
    }

    private List<ReadsReport.Read> writerReads(ServiceProcess writer, ReadsReport.History history) throws Exception {
        String base = writer.url();
        String list = base + "/api/errors/list?apikey=" + APIKEY + "&pageSize=" + PAGE_SIZE;
        String metrics = base + "/api/performance/metrics?apikey=" + APIKEY + "&pageSize=" + PAGE_SIZE;
        String recording = base + "/api/record-screen/" + history.longRecordingId() + "?apikey=" + APIKEY + "&pageSize=" + PAGE_SIZE;
        List<ReadsReport.Read> reads = new ArrayList<>();
        reads.add(measure(writer, null, "errors list, page 1", "", list + "&page=1", READ));
        reads.add(measure(writer, null, "errors list, page " + options.shape().deepPage(), "", list + "&page=" + options.shape().deepPage(), null));
        reads.add(measureAfter(writer, "errors list, cursor " + (options.shape().deepPage() - 1) * PAGE_SIZE + " events deep",
                () -> list + "&after=" + encode(cursorAfterPages(list, options.shape().deepPage() - 1))));
        reads.add(measure(writer, null, "errors list of one type (xhr), page 1", "", list + "&type=xhr&page=1", READ));
        reads.add(measure(writer, null, "errors stats", "", base + "/api/errors/stats?apikey=" + APIKEY, READ));
        reads.add(measure(writer, null, "one error by id", "", base + "/api/errors/" + history.newestErrorId() + "?apikey=" + APIKEY, null));
        reads.add(measure(writer, null, "web vitals list, page 1", "", metrics + "&page=1", READ));
        reads.add(measure(writer, null, "web vitals list, page " + options.shape().deepPage(), "", metrics + "&page=" + options.shape().deepPage(), null));
        reads.add(measure(writer, null, "session recording, first chunks", "", recording, null));
        reads.add(measureAfter(writer, "session recording, last chunks (cursor)",
                () -> recording + "&after=" + encode(cursorAfterPages(recording, options.shape().chunksPerRecording() / PAGE_SIZE - 1))));
        return reads;
    }

    /**
     * The metrics reads, window by window; each window's overview is checked against the history
     * first: it must count every record received in the window it answers for, no more.
     */
    private List<ReadsReport.Read> aggregatorReads(ServiceProcess aggregator, Jedis redis, ProductionHistory.Published published,
                                                   List<ReadsReport.Check> checks) throws Exception {
        String base = aggregator.url() + "/api/metrics/";
        List<ReadsReport.Read> reads = new ArrayList<>();
        for (String window : WINDOWS) {
            String query = "?apikey=" + APIKEY + "&window=" + window;
            JsonNode overview;
            try {
                overview = get(base + "overview" + query).path("data");
            } catch (UnansweredException e) {
                reads.add(ReadsReport.Read.notMeasured(aggregator.name(), "dashboard refresh at " + window, e.getMessage()));
                // An overview not answered is an answer that does not hold: the run fails.
                checks.add(new ReadsReport.Check(aggregator.name(), "overview " + window + ": events (not answered: " + e.getMessage() + ")",
                        published.records(), -1));
                continue;
            }
            ReadsReport.Check events = new ReadsReport.Check(aggregator.name(), "overview " + window + ": events",
                    published.receivedBetween(overview.path("from").longValue(), overview.path("to").longValue()), overview.path("events").longValue());
            checks.add(events);
            if (!events.holds()) {
                progress.step(String.format(Locale.ROOT, "%s: the overview at %s counts %,d events where %,d were published in its window",
                        aggregator.name(), window, events.answered(), events.expected()));
            }
            // The dashboard's first chart has a series per event type the window holds.
            List<String> types = new ArrayList<>();
            overview.path("byType").propertyNames().forEach(type -> types.add("type:" + type));
            String perType = base + "series" + query + "&metrics=" + encode(String.join(",", types.isEmpty() ? List.of("type:error") : types));
            String errorsAndSessions = base + "series" + query + "&metrics=" + encode("errors,sessions,whiteScreens");
            List<String> refresh = List.of(base + "overview" + query, base + "top-errors" + query + "&limit=10",
                    base + "pages" + query + "&vital=LCP&limit=10", perType, errorsAndSessions);
            Target target = READ;
            reads.add(measure(aggregator, redis, "overview", window, refresh.get(0), target));
            reads.add(measure(aggregator, redis, "top errors (10)", window, refresh.get(1), target));
            reads.add(measure(aggregator, redis, "slowest pages by LCP (10)", window, refresh.get(2), target));
            reads.add(measure(aggregator, redis, "series, one per event type (" + types.size() + ")", window, perType, target));
            reads.add(measure(aggregator, redis, "series: errors, sessions, white screens", window, errorsAndSessions, target));
            reads.add(measure(aggregator, redis, "web vitals", window, base + "vitals" + query, target));
            reads.add(measure(aggregator, redis, "failing requests", window, base + "performance" + query, target));
            reads.add(measure(aggregator, redis, "dashboard refresh (the overview, then the other four calls above it at once)", window,
                    () -> refresh(refresh), window.equals("7d") ? REFRESH : null));
        }
        return reads;
    }

    /**
     * Counting while dashboards refresh: a burst of new events is published, and the time the
     * aggregator takes to count all of it is measured with no dashboard open, then with
     * {@link #READERS} dashboards each refreshing the 1 h view back to back (not every 15 s: the
     * most reads the read connections let through), in the same run. The metrics API reads on
     * connections of its own, so the counting should barely notice; this shows how much it does.
     */
    private List<ReadsReport.CountingUnderReads> countingUnderReads(InfraChild infra, ServiceProcess aggregator) throws Exception {
        String base = aggregator.url() + "/api/metrics/";
        String query = "?apikey=" + APIKEY + "&window=1h";
        List<String> refresh = List.of(base + "overview" + query, base + "top-errors" + query + "&limit=10",
                base + "pages" + query + "&vital=LCP&limit=10", base + "series" + query + "&metrics=" + encode("type:error,type:performance"),
                base + "series" + query + "&metrics=" + encode("errors,sessions,whiteScreens"));
        List<ReadsReport.CountingUnderReads> results = new ArrayList<>();
        ListenerControls counting = new ListenerControls(aggregator.url());
        for (int readers : READERS) {
            progress.step(String.format(Locale.ROOT, "counting %,d new events with %d dashboards refreshing back to back", options.shape().burst(),
                    readers));
            // The burst waits in Kafka while the aggregator is paused, and the writer stores it first,
            // so that only the aggregator's counting of it is timed, the same in every round.
            counting.pause(Duration.ofMinutes(1));
            long before;
            long end;
            try {
                try (KafkaOffsets offsets = new KafkaOffsets(infra.kafkaBootstrapServers(), TopicNames.defaults().eventTopics(new EventFamilies()))) {
                    before = offsets.committed(ConsumerGroups.AGGREGATOR);
                    ProductionHistory.publish(infra.kafkaBootstrapServers(), options.capturedTraffic(), ProductionHistory.Shape.burst(options.shape()),
                            Instant.now());
                    end = KafkaOffsets.sum(offsets.ends().values());
                    awaitCommitted(offsets, ConsumerGroups.WRITER, end);
                }
            } catch (Exception e) {
                counting.resume();
                throw e;
            }
            ExecutorService dashboards = Executors.newFixedThreadPool(Math.max(1, readers * refresh.size()), runnable -> {
                Thread thread = new Thread(runnable, "bench-contention");
                thread.setDaemon(true);
                return thread;
            });
            java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.ConcurrentHashMap<String, Long> statuses = new java.util.concurrent.ConcurrentHashMap<>();
            List<Future<?>> loops = new ArrayList<>();
            try {
                for (int reader = 0; reader < readers; reader++) {
                    loops.add(dashboards.submit(() -> {
                        try {
                            while (reading.get()) {
                                List<Future<String>> calls = new ArrayList<>();
                                statuses.merge(call(refresh.get(0)), 1L, Long::sum);
                                for (String url : refresh.subList(1, refresh.size())) {
                                    calls.add(dashboards.submit(() -> call(url)));
                                }
                                for (Future<String> answered : calls) {
                                    statuses.merge(answered.get(), 1L, Long::sum);
                                }
                            }
                        } catch (InterruptedException | java.util.concurrent.ExecutionException | java.util.concurrent.RejectedExecutionException e) {
                            if (reading.get()) {
                                throw e;
                            }
                            // stopped by the shutdown once the burst was counted, as meant
                        }
                        return null;
                    }));
                }
                TimeUnit.SECONDS.sleep(1);
                results.add(countBurst(infra, counting, readers, end - before, end, statuses));
            } finally {
                counting.resume();
                reading.set(false);
                dashboards.shutdownNow();
                dashboards.awaitTermination(ANSWER_LIMIT.toSeconds() + 10, TimeUnit.SECONDS);
            }
            // A dashboard that stopped early would have left fewer reading than the report says.
            for (Future<?> loop : loops) {
                try {
                    loop.get(0, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a dashboard stopped reading during the burst", e.getCause());
                } catch (java.util.concurrent.CancellationException | java.util.concurrent.TimeoutException stopped) {
                    // stopped by the shutdown, as meant
                }
            }
        }
        return results;
    }

    /** Resumes the paused aggregator and times until it has counted the burst waiting for it (up to offset {@code end}). */
    private ReadsReport.CountingUnderReads countBurst(InfraChild infra, ListenerControls counting, int readers, long events, long end,
                                                      Map<String, Long> statuses) throws Exception {
        try (KafkaOffsets offsets = new KafkaOffsets(infra.kafkaBootstrapServers(), TopicNames.defaults().eventTopics(new EventFamilies()))) {
            long started = System.nanoTime();
            counting.resume();
            awaitCommitted(offsets, ConsumerGroups.AGGREGATOR, end);
            double seconds = (System.nanoTime() - started) / 1e9;
            Map<String, Long> answered = new java.util.TreeMap<>(statuses);
            progress.step(String.format(Locale.ROOT, "counted %,d events in %.1f s with %d dashboards refreshing (answers: %s)", events, seconds,
                    readers, answered));
            return new ReadsReport.CountingUnderReads(readers, events, seconds, answered);
        }
    }

    /** Waits until {@code group} has committed every record up to {@code end}, at most {@link #FILL_LIMIT}. */
    private static void awaitCommitted(KafkaOffsets offsets, String group, long end) throws Exception {
        long deadline = System.nanoTime() + FILL_LIMIT.toNanos();
        while (offsets.committed(group) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(group + " did not take a burst in within " + FILL_LIMIT + ": at " + offsets.committed(group)
                        + " of " + end);
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /** What a read must stay under: its p99 and, where named, the Redis commands a call sends. */
    private record Target(double p99Ms, Long maxCommands) {

        String describe() {
            return String.format(Locale.ROOT, "≤ %,.0f ms p99", p99Ms) + (maxCommands == null ? ""
                    : String.format(Locale.ROOT, ", ≤ %,d commands", maxCommands));
        }

        boolean metBy(double p99, Long commands) {
            return p99 <= p99Ms && (maxCommands == null || commands == null || commands <= maxCommands);
        }
    }

    /** One read's calls, made as its client makes them; the answers' statuses. */
    private interface Calls {
        List<String> make() throws Exception;
    }

    private ReadsReport.Read measure(ServiceProcess service, Jedis redis, String read, String window, String url, Target target)
            throws Exception {
        return measure(service, redis, read, window, () -> List.of(call(url)), target);
    }

    /** What the dashboard asks every 15 s: the overview, then the other four calls at once (dashboard.js). */
    private List<String> refresh(List<String> urls) throws Exception {
        List<String> statuses = new ArrayList<>(List.of(call(urls.get(0))));
        List<Future<String>> rest = new ArrayList<>();
        for (String url : urls.subList(1, urls.size())) {
            rest.add(browser.submit(() -> call(url)));
        }
        for (Future<String> answered : rest) {
            statuses.add(answered.get());
        }
        return statuses;
    }

    /**
     * Times one read: after two unmeasured, until the repetitions are done or the budget is spent
     * (at least three samples).
     */
    private ReadsReport.Read measure(ServiceProcess service, Jedis redis, String read, String window, Calls calls, Target target)
            throws Exception {
        for (int i = 0; i < WARM_UP_CALLS; i++) {
            calls.make();
        }
        long[] before = redis == null ? null : redisCounters(redis);
        long[] infoCost = redis == null ? null : infoCost(redis, before);
        List<Double> millis = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        long budgetEnds = System.nanoTime() + options.budgetPerRead().toNanos();
        try (ResourceSampler memory = new ResourceSampler(service)) {
            while (millis.size() < options.repetitions() && (millis.size() < 3 || System.nanoTime() < budgetEnds)) {
                long start = System.nanoTime();
                List<String> statuses = calls.make();
                millis.add((System.nanoTime() - start) / 1e6);
                statuses.stream().filter(status -> !status.equals("200")).forEach(failures::add);
            }
            Long commands = null;
            Long bytes = null;
            if (redis != null) {
                long[] after = redisCounters(redis);
                // Less the two INFO calls between the readings, which read the counters themselves.
                commands = Math.round((after[0] - before[0] - 2 * infoCost[0]) / (double) millis.size());
                bytes = Math.round((after[1] - before[1] - 2 * infoCost[1]) / (double) millis.size());
            }
            double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double p99 = sorted[(int) Math.ceil(sorted.length * 0.99) - 1];
            Boolean met = target == null ? null : target.metBy(p99, commands);
            var measured = new ReadsReport.Read(service.name(), read, window, sorted.length, failures.size(), sorted[sorted.length / 2], p99,
                    sorted[sorted.length - 1], commands, bytes, memory.peakIncludingNow().heapMiB(), target == null ? null : target.describe(), failures.isEmpty() ? met : Boolean.FALSE,
                    failures.isEmpty() ? "" : "answers other than 200: " + failures.stream().distinct().collect(Collectors.joining(", ")));
            progress.step(String.format(Locale.ROOT, "%s %s%s: p50 %.1f ms, p99 %.1f ms over %d%s%s", service.name(), read,
                    window.isEmpty() ? "" : " " + window, measured.p50Ms(), measured.p99Ms(), measured.samples(),
                    commands == null ? "" : String.format(Locale.ROOT, ", %,d Redis commands and %,d bytes back", commands, bytes),
                    failures.isEmpty() ? "" : ", " + measured.note()));
            return measured;
        }
    }

    /** A read whose URL takes answers to make (a cursor): reported as not measured, with the reason, when they fail. */
    private ReadsReport.Read measureAfter(ServiceProcess service, String read, Callable<String> url) throws Exception {
        String made;
        try {
            made = url.call();
        } catch (UnansweredException e) {
            progress.step(service.name() + " " + read + ": not measured, " + e.getMessage());
            return ReadsReport.Read.notMeasured(service.name(), read, e.getMessage());
        }
        return measure(service, null, read, "", made, null);
    }

    /**
     * Follows {@code next} from the first page for {@code pages} pages (at least one), within
     * {@link #CURSOR_WALK_LIMIT}: on the stand-in a page of a month of events takes seconds, and
     * 499 of them would hold the run for an hour.
     */
    private String cursorAfterPages(String firstPage, int pages) throws Exception {
        String cursor = null;
        long deadline = System.nanoTime() + CURSOR_WALK_LIMIT.toNanos();
        for (int page = 0; page < Math.max(1, pages); page++) {
            if (System.nanoTime() > deadline) {
                throw new UnansweredException("following the cursor " + pages + " pages deep took longer than " + CURSOR_WALK_LIMIT.toMinutes()
                        + " minutes (" + page + " pages followed)");
            }
            JsonNode answer = get(cursor == null ? firstPage : firstPage + "&after=" + encode(cursor)).path("data");
            cursor = answer.path("next").asString(null);
            if (cursor == null) {
                throw new UnansweredException("the list ended after " + (page + 1) + " pages");
            }
        }
        return cursor;
    }

    /** A read the benchmark needed an answer to make was not answered. */
    private static final class UnansweredException extends IllegalStateException {
        UnansweredException(String message) {
            super(message);
        }
    }

    /** The answer's status, or what stood for an answer: none within the limit, or no connection. */
    private String call(String url) throws InterruptedException {
        try {
            return String.valueOf(http.send(request(url), HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (HttpTimeoutException e) {
            return "no answer within " + ANSWER_LIMIT.toSeconds() + " s";
        } catch (IOException e) {
            return "no answer (" + e + ")";
        }
    }

    private JsonNode get(String url) throws InterruptedException {
        HttpResponse<byte[]> answer;
        try {
            answer = http.send(request(url), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UnansweredException(URI.create(url).getPath() + " gave no answer: " + e);
        }
        if (answer.statusCode() != 200) {
            throw new UnansweredException(URI.create(url).getPath() + " answered " + answer.statusCode() + ": "
                    + new String(answer.body(), StandardCharsets.UTF_8));
        }
        return json.readTree(answer.body());
    }

    private static HttpRequest request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + READ_TOKEN).timeout(ANSWER_LIMIT).GET().build();
    }

    /** Redis's count of commands processed and of bytes it sent back. */
    private static long[] redisCounters(Jedis redis) {
        String stats = redis.info("stats");
        return new long[] {infoField(stats, "total_commands_processed"), infoField(stats, "total_net_output_bytes")};
    }

    /** What one reading of the counters costs by itself, from a second reading right after {@code first}. */
    private static long[] infoCost(Jedis redis, long[] first) {
        long[] second = redisCounters(redis);
        return new long[] {second[0] - first[0], second[1] - first[1]};
    }

    private static long infoField(String info, String field) {
        return Arrays.stream(info.split("\r?\n")).filter(line -> line.startsWith(field + ":"))
                .mapToLong(line -> Long.parseLong(line.substring(field.length() + 1).trim())).findFirst()
                .orElseThrow(() -> new IllegalStateException("Redis INFO has no " + field));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

}
