package dev.trackpipeline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.ingest.AcceptedEvent;
import dev.trackpipeline.model.ingest.Rejection;
import dev.trackpipeline.model.project.AllowedOrigins;
import dev.trackpipeline.model.project.Project;
import dev.trackpipeline.model.project.ProjectRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A request's events are decided on one look at the registry, and handed on with their project:
 * a reload between two looks used to turn a project removed meanwhile into a 500.
 */
class PermittedByProjectTest {

    static final Project SHOP = new Project("shop", null, "t", new AllowedOrigins(List.of("https://shop.example")), null);
    static final ProjectRegistry REGISTRY = new ProjectRegistry(List.of(SHOP));

    @Test
    void handsOnEachPermittedEventWithItsProjectAndRefusesTheRestWithTheirReasons() {
        List<Rejection> rejected = new ArrayList<>();

        Map<Project, List<AcceptedEvent>> permitted = ReportDataController.permittedByProject(REGISTRY,
                List.of(event(0, "shop"), event(1, "gone"), event(2, "shop")), Optional.of("https://shop.example"), rejected);

        assertThat(permitted).containsOnlyKeys(SHOP);
        assertThat(permitted.get(SHOP)).extracting(AcceptedEvent::index).containsExactly(0, 2);
        assertThat(rejected).singleElement().satisfies(rejection -> assertThat(rejection.reason())
                .isEqualTo("apikey: \"gone\" is not a registered project"));
    }

    @Test
    void refusesEventsFromAnOriginTheirProjectDoesNotAllow() {
        List<Rejection> rejected = new ArrayList<>();

        Map<Project, List<AcceptedEvent>> permitted = ReportDataController.permittedByProject(REGISTRY, List.of(event(0, "shop")),
                Optional.of("https://evil.example"), rejected);

        assertThat(permitted).isEmpty();
        assertThat(rejected).singleElement().satisfies(rejection -> assertThat(rejection.reason())
                .isEqualTo("Origin: https://evil.example is not allowed for project \"shop\""));
    }

    private static AcceptedEvent event(int index, String apikey) {
        return new AcceptedEvent(index, "e-" + index, new EventFamilies().forType("error").orElseThrow(), "error", apikey, "s-1",
                "{}".getBytes());
    }
}
