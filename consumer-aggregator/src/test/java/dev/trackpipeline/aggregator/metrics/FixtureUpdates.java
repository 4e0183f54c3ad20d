package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.aggregator.AggregatorProperties;
import dev.trackpipeline.aggregator.consume.CountingReader;
import dev.trackpipeline.aggregator.metrics.RedisMetricsStore.RecordUpdates;
import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.fixtures.FixtureRecords;
import dev.trackpipeline.model.fixtures.FixtureRecords.FixtureRecord;
import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecord;
import dev.trackpipeline.model.kafka.EventRecordReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The real SDK's captured events as the aggregator counts them: each fixture posted again under
 * another project's apikey, read as a Kafka record and turned into its updates, at offsets that
 * follow on from the last ones given.
 */
final class FixtureUpdates {

    private static final EventRecordReader RECORDS = CountingReader.of(new EventValidator(new EventFamilies()), IngestLimits.DEFAULTS);
    private static final List<CapturedRequest> FIXTURES = WebSeeFixtures.load().posts();

    private final EventCounts counts;
    private final Instant receivedAt;
    private long nextOffset;

    FixtureUpdates(AggregatorProperties properties, Instant receivedAt) {
        this.counts = new EventCounts(properties);
        this.receivedAt = receivedAt;
    }

    /** {@code perProject} fixture events of each project, the projects taking turns, each with an id of its own. */
    List<RecordUpdates> interleaved(List<String> projects, int perProject) {
        List<RecordUpdates> records = new ArrayList<>();
        for (int event = 0; event < perProject; event++) {
            for (String project : projects) {
                CapturedRequest fixture = FIXTURES.get(event % FIXTURES.size());
                CapturedRequest theirs = new CapturedRequest(fixture.method(), fixture.path(), fixture.contentType(),
                        fixture.contentEncoding(), fixture.body().replace("\\\"apikey\\\":\\\"demo-project\\\"",
                        "\\\"apikey\\\":\\\"" + project + "\\\"").replace("\"apikey\":\"demo-project\"", "\"apikey\":\"" + project + "\""));
                FixtureRecord record = FixtureRecords.of(theirs, receivedAt);
                EventRecord read = RECORDS.read(name -> Optional.ofNullable(record.headers().get(name)), record.value());
                assertThat(read.apikey()).isEqualTo(project);
                // an id of its own: the same fixture sent again would be a client's re-send, counted once
                records.add(new RecordUpdates(nextOffset, project, read.eventId() + "-" + nextOffset++, counts.of(read)));
            }
        }
        return records;
    }

    /** How many fixture posts there are: {@link #interleaved} with this many per project sends each once. */
    static int count() {
        return FIXTURES.size();
    }
}
