package dev.trackpipeline.model.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.Outcome;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngestBatchReaderTest {

    private final WebSeeFixtures fixtures = WebSeeFixtures.load();
    private final IngestBatchReader reader = new IngestBatchReader(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);

    @Test
    void acceptsEveryEventTheRealSdkSentAndKeepsItsExactBytes() {
        List<CapturedRequest> posts = fixtures.posts();
        assertThat(posts).hasSize(89);
        for (CapturedRequest request : posts) {
            IngestBatch batch = reader.read(request.bodyBytes());
            assertThat(batch.rejected()).as(request.body().substring(0, 80)).isEmpty();
            assertThat(batch.accepted()).hasSize(1);
            AcceptedEvent event = batch.accepted().get(0);
            assertThat(event.rawJson()).isEqualTo(request.bodyBytes());
            assertThat(event.type()).isEqualTo(request.type());
            assertThat(event.apikey()).isEqualTo("demo-project");
        }
    }

    @Test
    void cutsEachEventOfAnArrayOutOfTheBodyByteForByte() {
        CapturedRequest error = fixtures.first("error");
        CapturedRequest vital = vital("FCP");
        CapturedRequest replay = fixtures.first("recordScreen");
        String body = "[ " + error.body() + ",\n" + vital.body() + "," + replay.body() + " ]";

        IngestBatch batch = reader.read(body.getBytes(StandardCharsets.UTF_8));

        assertThat(batch.rejected()).isEmpty();
        assertThat(batch.accepted()).extracting(AcceptedEvent::index).containsExactly(0, 1, 2);
        assertThat(batch.accepted().get(0).rawJson()).isEqualTo(error.bodyBytes());
        assertThat(batch.accepted().get(1).rawJson()).isEqualTo(vital.bodyBytes());
        assertThat(batch.accepted().get(2).rawJson()).isEqualTo(replay.bodyBytes());
        assertThat(batch.accepted()).extracting(event -> event.family().name())
                .containsExactly("error", "performance", "record-screen");
    }

    @Test
    void givesTheSameEventIdToARetriedPayloadAndDifferentIdsToDifferentEvents() {
        CapturedRequest first = fixtures.posts().get(0);
        CapturedRequest second = fixtures.posts().get(1);

        String once = reader.read(first.bodyBytes()).accepted().get(0).eventId();
        String retried = reader.read(first.bodyBytes()).accepted().get(0).eventId();
        String inArray = reader.read(("[" + first.body() + "]").getBytes(StandardCharsets.UTF_8)).accepted().get(0).eventId();
        String other = reader.read(second.bodyBytes()).accepted().get(0).eventId();

        assertThat(once).hasSize(32).isEqualTo(retried).isEqualTo(inArray).isNotEqualTo(other);
    }

    @Test
    void honoursAnEventIdTheSenderSuppliesScopedByProjectAndFamily() {
        String event = fixtures.first("whiteScreen").body();
        String withId = event.replace("{\"type\"", "{\"eventId\":\"client-42\",\"type\"");
        String sameIdOtherContent = withId.replace("\"status\":\"error\"", "\"status\":\"ok\"");
        String sameIdOtherProject = withId.replace("\"apikey\":\"demo-project\"", "\"apikey\":\"shop\"");

        String id = reader.read(withId.getBytes(StandardCharsets.UTF_8)).accepted().get(0).eventId();

        assertThat(reader.read(sameIdOtherContent.getBytes(StandardCharsets.UTF_8)).accepted().get(0).eventId()).isEqualTo(id);
        assertThat(reader.read(sameIdOtherProject.getBytes(StandardCharsets.UTF_8)).accepted().get(0).eventId()).isNotEqualTo(id);
        assertThat(reader.read(event.getBytes(StandardCharsets.UTF_8)).accepted().get(0).eventId()).isNotEqualTo(id);
        // A custom event with the same id is another event: the writer keeps it in another collection, so the aggregator must count it.
        String custom = "{\"eventId\":\"client-42\",\"type\":\"custom\",\"apikey\":\"demo-project\",\"uuid\":\"u\",\"time\":1795642106952,"
                + "\"status\":\"ok\",\"breadcrumb\":[]}";
        assertThat(reader.read(custom.getBytes(StandardCharsets.UTF_8)).accepted().get(0).eventId()).isNotEqualTo(id);
    }

    @Test
    void acceptsWhatTheSdksLogAndGetUserIdCanSend() {
        String custom = "{\"type\":\"custom\",\"status\":\"error\",\"message\":\"checkout failed\",\"time\":1795642106952,"
                + "\"fileName\":\"http://127.0.0.1:8080/assets/app.js\",\"functionName\":\"pay\",\"line\":12,\"column\":7,"
                + "\"lineNumber\":12,\"columnNumber\":7,\"source\":\"at pay (app.js:12:7)\",\"userId\":1001,"
                + "\"sdkVersion\":\"4.0.2\",\"apikey\":\"demo-project\",\"uuid\":\"u-1\",\"pageUrl\":\"http://127.0.0.1:8080/\","
                + "\"breadcrumb\":[]}";

        IngestBatch batch = reader.read(custom.getBytes(StandardCharsets.UTF_8));

        assertThat(batch.rejected()).isEmpty();
        assertThat(batch.accepted()).extracting(event -> event.family().name()).containsExactly("custom");
        assertThat(single(custom.replace("\"userId\":1001", "\"userId\":[1]")).reason())
                .isEqualTo("userId: expected a string or a number, got an array");
    }

    @Test
    void acceptsTheValidEventsOfAPartlyInvalidBatchAndNamesTheFieldOfEachRejection() {
        String valid = fixtures.first("xhr").body();
        String body = "[" + valid + ", {\"type\":\"performance\",\"apikey\":\"demo-project\",\"time\":1,\"uuid\":\"u\","
                + "\"name\":\"LCP\",\"value\":\"fast\"}, 42]";

        IngestBatch batch = reader.read(body.getBytes(StandardCharsets.UTF_8));

        assertThat(batch.accepted()).extracting(AcceptedEvent::index).containsExactly(0);
        assertThat(batch.rejected()).containsExactly(
                new Rejection(1, Outcome.INVALID_EVENT, "events[1].value: expected a number, got \"fast\"", "performance"),
                new Rejection(2, Outcome.INVALID_EVENT, "events[2]: expected a JSON object, got an integer"));
    }

    @Test
    void rejectsPerformanceEventWhoseValueIsNotANumber() {
        String body = vital("LCP").body().replaceFirst("\"value\":[0-9.]+", "\"value\":\"slow\"");
        assertThat(body).contains("\"value\":\"slow\"");

        assertThat(reader.read(body.getBytes(StandardCharsets.UTF_8)).rejected())
                .containsExactly(new Rejection(0, Outcome.INVALID_EVENT, "value: expected a number, got \"slow\"", "performance"));
    }

    @Test
    void acceptsNumbersSentAsStringsButNotValuesThatAreNoFiniteNumber() {
        String lcp = vital("LCP").body();
        String asStrings = lcp.replace("\"value\":1200", "\"value\":\"1200\"").replace("\"time\":", "\"time\":\"")
                .replaceFirst("(\"time\":\"\\d+)", "$1\"");
        String notFinite = lcp.replace("\"value\":1200", "\"value\":\"NaN\"");
        assertThat(asStrings).contains("\"value\":\"1200\"").containsPattern("\"time\":\"\\d+\"");

        assertThat(reader.read(asStrings.getBytes(StandardCharsets.UTF_8)).accepted()).hasSize(1);
        assertThat(single(notFinite).reason()).isEqualTo("value: expected a number, got \"NaN\"");
    }

    @Test
    void namesTheFullPathOfAWrongNestedField() {
        String body = fixtures.first("xhr").body()
                .replace("\"method\":\"GET\"", "\"method\":7")
                .replaceFirst("\"breadcrumb\":\\[\\{", "\"breadcrumb\":[\"click\",{");

        assertThat(single(body).reason()).isEqualTo(
                "breadcrumb[0]: expected an object, got \"click\"; requestData.method: expected a string, got an integer");
    }

    @Test
    void keepsTimingFieldsThatNewerBrowsersAdd() {
        String body = fixtures.ofType("performance").stream().map(CapturedRequest::body)
                .filter(text -> text.contains("\"name\":\"resourceList\"")).findFirst().orElseThrow()
                .replaceFirst("\"entryType\":\"resource\"", "\"entryType\":\"resource\",\"renderTimeFromTheFuture\":{\"x\":1}");

        IngestBatch batch = reader.read(body.getBytes(StandardCharsets.UTF_8));

        assertThat(batch.rejected()).isEmpty();
        assertThat(new String(batch.accepted().get(0).rawJson(), StandardCharsets.UTF_8)).contains("renderTimeFromTheFuture");
    }

    @Test
    void rejectsAPerformanceMetricTheSdkDoesNotReport() {
        String body = vital("FCP").body().replace("\"name\":\"FCP\"", "\"name\":\"FancyPaint\"");

        assertThat(single(body).reason()).isEqualTo("name: unknown performance metric \"FancyPaint\", expected one of "
                + "[FCP, LCP, TTFB, FID, INP, CLS, FSP, longTask, memory, resourceList]");
    }

    @Test
    void rejectsATimestampNoClockCouldRead() {
        String body = fixtures.first("whiteScreen").body().replaceFirst("\"time\":\\d+", "\"time\":99999999999999999");

        assertThat(single(body).reason()).isEqualTo("time: expected a positive integer of epoch milliseconds, got an integer");
    }

    @Test
    void rejectsAnUnknownTypeNamingTheTypesItKnows() {
        Rejection rejection = single("{\"type\":\"telemetry\",\"apikey\":\"demo-project\",\"time\":1,\"uuid\":\"u\"}");

        assertThat(rejection.outcome()).isEqualTo(Outcome.UNKNOWN_TYPE);
        assertThat(rejection.reason()).startsWith("type: unknown type \"telemetry\", expected one of [error, unhandledrejection");
    }

    @Test
    void listsEveryMissingCommonFieldInOneReason() {
        Rejection rejection = single("{\"type\":\"error\",\"time\":\"yesterday\"}");

        assertThat(rejection.reason()).isEqualTo("apikey: is required; "
                + "time: expected a positive integer of epoch milliseconds, got \"yesterday\"; uuid: is required; message: is required");
    }

    @Test
    void refusesMalformedJsonWithItsPosition() {
        IngestBatch batch = reader.read("{\"type\":\"error\",".getBytes(StandardCharsets.UTF_8));

        assertThat(batch.accepted()).isEmpty();
        assertThat(batch.rejected()).singleElement().satisfies(rejection -> {
            assertThat(rejection.index()).isEqualTo(Rejection.WHOLE_BODY);
            assertThat(rejection.outcome()).isEqualTo(Outcome.INVALID_JSON);
            assertThat(rejection.reason()).startsWith("body: malformed JSON: ").contains("line 1, column");
        });
    }

    @Test
    void refusesEmptyBodiesEmptyArraysScalarsAndTrailingGarbage() {
        assertThat(reader.read(new byte[0]).rejected()).extracting(Rejection::reason).containsExactly("body: is empty");
        assertThat(reader.read("[]".getBytes()).rejected()).extracting(Rejection::reason)
                .containsExactly("body: the array holds no events");
        assertThat(reader.read("\"error\"".getBytes()).rejected()).extracting(Rejection::reason)
                .containsExactly("body: expected a JSON object or an array of objects, got a string");
        String trailing = fixtures.first("error").body() + " {}";
        assertThat(reader.read(trailing.getBytes(StandardCharsets.UTF_8)).rejected()).extracting(Rejection::reason)
                .containsExactly("body: unexpected content after the JSON value");
    }

    @Test
    void refusesAnEventLargerThanThePerEventLimitButKeepsItsNeighbours() {
        IngestBatchReader strict = new IngestBatchReader(new EventValidator(new EventFamilies()),
                new IngestLimits(1 << 22, 1 << 23, 100_000, 500, 64));
        String replay = largest("recordScreen").body();
        String small = fixtures.first("whiteScreen").body();
        assertThat(replay.length()).isGreaterThan(100_000);

        IngestBatch batch = strict.read(("[" + small + "," + replay + "]").getBytes(StandardCharsets.UTF_8));

        assertThat(batch.accepted()).extracting(AcceptedEvent::index).containsExactly(0);
        assertThat(batch.rejected()).singleElement().satisfies(rejection -> {
            assertThat(rejection.outcome()).isEqualTo(Outcome.EVENT_TOO_LARGE);
            assertThat(rejection.reason()).endsWith("more than the limit of 100000 (maxEventBytes)");
        });
    }

    @Test
    void refusesAnEventOverTheByteLimitWithoutBuildingItsTree() {
        IngestBatchReader strict = new IngestBatchReader(new EventValidator(new EventFamilies()),
                new IngestLimits(1 << 22, 1 << 23, 100_000, 500, 64, 100_000));
        String dense = custom("[" + "{},".repeat(40_000) + "{}]");
        RecordingTreeMemory memory = new RecordingTreeMemory();

        IngestBatch batch = strict.read(("[" + dense + "]").getBytes(StandardCharsets.UTF_8), memory);

        assertThat(batch.rejected()).containsExactly(new Rejection(0, Outcome.EVENT_TOO_LARGE,
                "events[0]: " + dense.length() + " bytes, more than the limit of 100000 (maxEventBytes)"));
        assertThat(memory.taken).isEmpty();
    }

    @Test
    void refusesAnEventOfMoreValuesThanTheTokenLimitWithoutBuildingItsTreeButKeepsItsNeighbours() {
        String small = fixtures.first("whiteScreen").body();
        String dense = custom("[" + "{},".repeat(199_999) + "{}]"); // 600 KB, within the byte limit
        RecordingTreeMemory memory = new RecordingTreeMemory();

        IngestBatch batch = reader.read(("[" + small + "," + dense + "]").getBytes(StandardCharsets.UTF_8), memory);

        assertThat(batch.accepted()).extracting(AcceptedEvent::index).containsExactly(0);
        // the event object, its six scalars, its two arrays and their 200,000 values
        assertThat(batch.rejected()).containsExactly(new Rejection(1, Outcome.EVENT_TOO_LARGE,
                "events[1]: 200009 tokens, more than the limit of 100000 (maxEventTokens)"));
        assertThat(memory.taken).hasSize(1);
    }

    @Test
    void countsTheValuesOfTheRealSdksRichestEventFarBelowTheDefaultTokenLimit() {
        IngestBatchReader justBelow = new IngestBatchReader(new EventValidator(new EventFamilies()),
                new IngestLimits(1 << 22, 1 << 23, 1 << 20, 500, 64, 6_714));

        List<Rejection> rejected = fixtures.posts().stream().flatMap(request -> justBelow.read(request.bodyBytes()).rejected().stream()).toList();

        assertThat(rejected).containsExactly(new Rejection(0, Outcome.EVENT_TOO_LARGE,
                "event: 6715 tokens, more than the limit of 6714 (maxEventTokens)"));
        assertThat(IngestLimits.DEFAULTS.maxEventTokens()).isGreaterThanOrEqualTo(10 * 6_715);
    }

    @Test
    void takesMemoryForEachEventsTreeBeforeBuildingItAndGivesItBackAfter() {
        CapturedRequest error = fixtures.first("error");
        CapturedRequest replay = largest("recordScreen");
        RecordingTreeMemory memory = new RecordingTreeMemory();

        IngestBatch batch = reader.read(("[" + error.body() + "," + replay.body() + "]").getBytes(StandardCharsets.UTF_8), memory);

        assertThat(batch.accepted()).hasSize(2);
        assertThat(memory.taken).hasSize(2).allSatisfy(bytes -> assertThat(bytes).isGreaterThan(0));
        assertThat(memory.taken.get(1)).isGreaterThanOrEqualTo(2L * replay.bodyBytes().length);
        assertThat(memory.held).isZero();
    }

    @Test
    void refusesTheWholeBodyToBeSentAgainLaterWhenATreeCannotHaveItsMemory() {
        String event = fixtures.first("whiteScreen").body();
        RecordingTreeMemory memory = new RecordingTreeMemory();
        memory.grants = 1;

        IngestBatch batch = reader.read(("[" + event + "," + event + "]").getBytes(StandardCharsets.UTF_8), memory);

        assertThat(batch.accepted()).isEmpty();
        assertThat(batch.rejected()).singleElement().satisfies(rejection -> {
            assertThat(rejection.index()).isEqualTo(Rejection.WHOLE_BODY);
            assertThat(rejection.outcome()).isEqualTo(Outcome.OVERLOADED);
            assertThat(rejection.reason()).endsWith("nothing was accepted, retry later");
        });
        assertThat(memory.held).isZero();
    }

    @Test
    void refusesMoreEventsThanOneBodyMayCarry() {
        IngestBatchReader strict = new IngestBatchReader(new EventValidator(new EventFamilies()),
                new IngestLimits(1 << 22, 1 << 23, 1 << 20, 2, 64));
        String event = fixtures.first("whiteScreen").body();

        IngestBatch batch = strict.read(("[" + event + "," + event + "," + event + "]").getBytes(StandardCharsets.UTF_8));

        assertThat(batch.accepted()).isEmpty();
        assertThat(batch.rejected()).containsExactly(new Rejection(Rejection.WHOLE_BODY, Outcome.BODY_TOO_LARGE,
                "body: more than 2 events (maxEventsPerBody)"));
    }

    @Test
    void refusesNestingDeeperThanTheLimitWithoutExhaustingTheStack() {
        String deep = "{\"type\":\"custom\",\"apikey\":\"a\",\"time\":1,\"uuid\":\"u\",\"x\":" + "[".repeat(100_000)
                + "]".repeat(100_000) + "}";

        IngestBatch batch = reader.read(deep.getBytes(StandardCharsets.UTF_8));

        assertThat(batch.rejected()).singleElement().satisfies(rejection -> {
            assertThat(rejection.outcome()).isEqualTo(Outcome.INVALID_JSON);
            assertThat(rejection.reason()).contains("nesting depth");
        });
    }

    /** A valid custom event whose field {@code x} holds {@code value}. */
    private static String custom(String value) {
        return "{\"type\":\"custom\",\"status\":\"ok\",\"message\":\"m\",\"time\":1795642106952,\"apikey\":\"demo-project\","
                + "\"uuid\":\"u-1\",\"breadcrumb\":[],\"x\":" + value + "}";
    }

    /** Grants the first {@code grants} requests for memory and keeps account of them. */
    private static final class RecordingTreeMemory implements TreeMemory {

        final List<Long> taken = new java.util.ArrayList<>();
        long held;
        int grants = Integer.MAX_VALUE;

        @Override
        public boolean tryTake(long bytes) {
            if (taken.size() == grants) {
                return false;
            }
            taken.add(bytes);
            held += bytes;
            return true;
        }

        @Override
        public void giveBack(long bytes) {
            held -= bytes;
        }
    }

    private CapturedRequest vital(String metric) {
        return fixtures.ofType("performance").stream()
                .filter(request -> request.event().get("name").stringValue().equals(metric)).findFirst().orElseThrow();
    }

    private CapturedRequest largest(String type) {
        return fixtures.ofType(type).stream().max(java.util.Comparator.comparingInt(request -> request.body().length())).orElseThrow();
    }

    private Rejection single(String body) {
        IngestBatch batch = reader.read(body.getBytes(StandardCharsets.UTF_8));
        assertThat(batch.accepted()).isEmpty();
        assertThat(batch.rejected()).hasSize(1);
        return batch.rejected().get(0);
    }
}
