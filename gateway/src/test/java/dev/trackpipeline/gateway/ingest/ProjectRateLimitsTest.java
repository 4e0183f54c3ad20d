package dev.trackpipeline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.model.project.Project;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A project's rate limit, and each client's share of it, so one client cannot spend the whole budget. */
class ProjectRateLimitsTest {

    /** 1000 events/s, burst 2000: a client's share is 100/s, burst 200 */
    static final Project SHOP = project("shop", new Project.RateLimit(1000, 2000));

    private final ManualTime time = new ManualTime();
    private final ProjectRateLimits limits = new ProjectRateLimits(new ClientShare(10, 20, 60, 1000), time);

    @Test
    void refusesAClientOverItsShareWhileAnotherClientOfTheSameProjectIsStillAdmitted() {
        ProjectRateLimits.Admission abuser = limits.admit(SHOP, "abuser", 500);
        ProjectRateLimits.Admission browser = limits.admit(SHOP, "browser", 7);

        assertThat(abuser.admitted()).isEqualTo(200);
        assertThat(abuser.overClientShare()).isEqualTo(300);
        assertThat(abuser.overProjectLimit()).isZero();
        assertThat(abuser.clientShare()).isEqualTo(new Project.RateLimit(100, 200));
        assertThat(abuser.clientRetryAfter()).isEqualTo(Duration.ofMillis(10));
        assertThat(browser.admitted()).isEqualTo(7);
        assertThat(browser.overClientShare() + browser.overProjectLimit()).isZero();
    }

    @Test
    void stillCapsWhatAllClientsOfAProjectSendTogetherAndNamesTheProjectWhenItsLimitIsWhatIsSpent() {
        for (int client = 0; client < 10; client++) {
            assertThat(limits.admit(SHOP, "client-" + client, 200).admitted()).isEqualTo(200);
        }

        ProjectRateLimits.Admission eleventh = limits.admit(SHOP, "client-10", 5);

        assertThat(eleventh.admitted()).isZero();
        assertThat(eleventh.overProjectLimit()).isEqualTo(5);
        assertThat(eleventh.overClientShare()).isZero();
        assertThat(eleventh.projectRetryAfter()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void eventsOverAClientsShareDoNotSpendTheProjectsBudget() {
        limits.admit(SHOP, "abuser", 200);
        for (int i = 0; i < 1000; i++) {
            assertThat(limits.admit(SHOP, "abuser", 10).admitted()).isZero();
        }

        for (int client = 0; client < 9; client++) {
            assertThat(limits.admit(SHOP, "client-" + client, 200).admitted()).as("client %d", client).isEqualTo(200);
        }
    }

    @Test
    void givesAClientBackWhatItsProjectRefusedSoItsShareIsNotSpentOnNothing() {
        for (int client = 0; client < 10; client++) {
            limits.admit(SHOP, "client-" + client, 200);
        }
        assertThat(limits.admit(SHOP, "late", 200).overProjectLimit()).isEqualTo(200);

        time.advance(Duration.ofMillis(200)); // 200 tokens back in the project's bucket, 20 in a client's
        ProjectRateLimits.Admission late = limits.admit(SHOP, "late", 200);

        assertThat(late.admitted()).as("the late client's own share is whole").isEqualTo(200);
    }

    @Test
    void givesBackToTheClientAndTheProjectWhatEventsNotDeliveredAfterAllTook() {
        ProjectRateLimits.Admission refusedFor503 = limits.admit(SHOP, "client-0", 200);
        assertThat(refusedFor503.admitted()).isEqualTo(200);

        refusedFor503.giveBack();

        assertThat(limits.admit(SHOP, "client-0", 200).admitted()).as("the client's share is whole again").isEqualTo(200);
        for (int client = 1; client < 10; client++) {
            assertThat(limits.admit(SHOP, "client-" + client, 200).admitted()).as("client %d", client).isEqualTo(200);
        }
    }

    @Test
    void neverGivesBackMoreThanABucketHolds() {
        ProjectRateLimits.Admission first = limits.admit(SHOP, "client-0", 200);
        first.giveBack();
        first.giveBack();

        assertThat(limits.admit(SHOP, "client-0", 500).admitted()).as("the share's burst, no more").isEqualTo(200);
        for (int client = 1; client < 10; client++) {
            limits.admit(SHOP, "client-" + client, 200);
        }
        assertThat(limits.admit(SHOP, "client-10", 1).admitted()).as("the project's burst, no more").isZero();
    }

    @Test
    void givesBackToTheProjectAloneWhenItsClientsHaveNoShareOfTheirOwn() {
        Project limited = project("limited", new Project.RateLimit(1, 2));
        ProjectRateLimits.Admission admission = limits.admit(limited, "browser", 2);

        admission.giveBack();

        assertThat(limits.admit(limited, "browser", 2).admitted()).isEqualTo(2);
    }

    @Test
    void refillsAClientsShareAtItsRate() {
        limits.admit(SHOP, "abuser", 200);
        assertThat(limits.admit(SHOP, "abuser", 1).admitted()).isZero();

        time.advance(Duration.ofMillis(500));

        assertThat(limits.admit(SHOP, "abuser", 100).admitted()).isEqualTo(50);
    }

    @Test
    void letsABusyBrowserThroughAProjectWithASmallLimitSinceAShareIsNeverBelowTheFloor() {
        Project small = project("small", new Project.RateLimit(50, 100));

        // 10 % would be 5/s, burst 10: fewer than one SDK page sends in a second
        ProjectRateLimits.Admission browser = limits.admit(small, "browser", 17);
        ProjectRateLimits.Admission abuser = limits.admit(small, "abuser", 100);

        assertThat(browser.admitted()).isEqualTo(17);
        assertThat(abuser.admitted()).isEqualTo(60);
        assertThat(abuser.overClientShare()).isEqualTo(40);
        assertThat(abuser.clientShare()).isEqualTo(new Project.RateLimit(20, 60));
    }

    @Test
    void namesTheProjectWhenAClientsShareWouldBeItsWholeLimit() {
        Project limited = project("limited", new Project.RateLimit(1, 2));

        ProjectRateLimits.Admission admission = limits.admit(limited, "browser", 3);

        assertThat(admission.admitted()).isEqualTo(2);
        assertThat(admission.overProjectLimit()).isEqualTo(1);
        assertThat(admission.overClientShare()).isZero();
        assertThat(admission.projectRetryAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(limits.clients()).as("no bucket of its own for a share that is the whole limit").isZero();
    }

    @Test
    void startsAClientAFreshShareWhenItsProjectsLimitIsReloaded() {
        limits.admit(SHOP, "abuser", 200);

        ProjectRateLimits.Admission raised = limits.admit(project("shop", new Project.RateLimit(2000, 4000)), "abuser", 400);

        assertThat(raised.admitted()).isEqualTo(400);
    }

    @Test
    void keepsAtMostItsBoundOfClientsHoweverManyAddressesCome() {
        for (int client = 0; client < 50_000; client++) {
            limits.admit(SHOP, "client-" + client, 1);
            time.advance(Duration.ofMillis(1));
        }

        assertThat(limits.clients()).isEqualTo(1000);
    }

    /** A client whose bucket was dropped starts with a full share: acceptable, since the project's bucket is not dropped. */
    @Test
    void capsAProjectsTotalEvenWhenItsClientsAreFarMoreThanTheBucketsKept() {
        ProjectRateLimits forgetful = new ProjectRateLimits(new ClientShare(10, 20, 60, 2), time);
        long admitted = 0;
        for (int round = 0; round < 3; round++) {
            for (int client = 0; client < 100; client++) {
                admitted += forgetful.admit(SHOP, "client-" + client, 200).admitted();
            }
        }

        assertThat(admitted).isEqualTo(2000);
        assertThat(forgetful.clients()).isEqualTo(2);
    }

    static Project project(String apikey, Project.RateLimit limit) {
        return new Project(apikey, null, apikey + "-token", null, limit);
    }
}
