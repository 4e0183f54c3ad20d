package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The launcher's log configuration, as bin/track local and infra run with it. */
class KnownHarmlessWarningsTest {

    private final ListAppender<ILoggingEvent> shown = new ListAppender<>();
    /** Configured from the launcher's own file (the tests' class path prefers a test configuration). */
    private final LoggerContext launcher = new LoggerContext();

    @BeforeEach
    void configureAsTheLauncherIs() throws Exception {
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(launcher);
        configurator.doConfigure(KnownHarmlessWarnings.class.getResource("/logback.xml"));
        shown.setContext(launcher);
        shown.start();
        launcher.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(shown);
    }

    @AfterEach
    void stop() {
        launcher.stop();
    }

    @Test
    void theWarningsOfEveryHealthyKafkaStartAreNotShownAndTheOthersAre() {
        Logger controller = launcher.getLogger("org.apache.kafka.controller.QuorumController");
        Logger client = launcher.getLogger("org.apache.kafka.clients.NetworkClient");

        controller.warn("[QuorumController id=1] Performing controller activation. The metadata log appears to be empty. Appending {} "
                + "bootstrap record(s) in metadata transaction", 4);
        client.warn("[NodeToControllerChannelManager id=1 name=registration] Attempting to close NetworkClient that has already been closed.");
        controller.warn("[QuorumController id=1] Renouncing the leadership due to a metadata log event");
        client.warn("[Producer clientId=track] Connection to node 1 could not be established");

        assertThat(shown.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "[QuorumController id=1] Renouncing the leadership due to a metadata log event",
                "[Producer clientId=track] Connection to node 1 could not be established");
    }
}
