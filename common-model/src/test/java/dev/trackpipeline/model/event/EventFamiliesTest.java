package dev.trackpipeline.model.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.kafka.TopicNames;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventFamiliesTest {

    private final EventFamilies families = new EventFamilies();

    @Test
    void routesEverySdkTypeToTheTopicTheDesignNames() {
        TopicNames topics = TopicNames.defaults();
        Map<String, String> expected = Map.of(
                "error", "track.error", "unhandledrejection", "track.error",
                "resource", "track.resource",
                "xhr", "track.http", "fetch", "track.http",
                "performance", "track.performance",
                "whiteScreen", "track.white-screen",
                "recordScreen", "track.record-screen",
                "custom", "track.custom");

        expected.forEach((type, topic) ->
                assertThat(topics.forFamily(families.forType(type).orElseThrow())).as(type).isEqualTo(topic));
        assertThat(families.knownTypes()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(topics.deadLetter()).isEqualTo("track.dead-letter");
    }

    @Test
    void honoursAConfiguredPrefix() {
        TopicNames topics = new TopicNames("staging.track.");

        assertThat(topics.eventTopics(families)).hasSize(7).allMatch(topic -> topic.startsWith("staging.track."));
        assertThat(topics.deadLetter()).isEqualTo("staging.track.dead-letter");
    }

    @Test
    void refusesTwoFamiliesClaimingOneType() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new EventFamilies(
                java.util.List.of(new JsErrorEvents(), new JsErrorEvents())))
                .hasMessage("type error belongs to two families");
    }

    @Test
    void errorFamiliesAreExactlyTheOnesWhoseEventsHaveAnErrorGroup() {
        var anyEvent = tools.jackson.databind.json.JsonMapper.builder().build().createObjectNode();

        assertThat(families.errorFamilies()).extracting(EventFamily::name).containsExactly("error", "resource", "http");
        for (String type : families.knownTypes()) {
            boolean error = families.forType(type).orElseThrow().reportsErrors();
            assertThat(dev.trackpipeline.model.errors.ErrorFingerprints.of(type, anyEvent)).as(type).matches(group -> group.isPresent() == error);
        }
    }
}
