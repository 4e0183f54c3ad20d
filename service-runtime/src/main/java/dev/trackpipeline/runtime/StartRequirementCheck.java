package dev.trackpipeline.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Refuses to start a service whose store does not meet a {@link StartRequirement}, before the web
 * server and the listener containers start (both in later phases), so nothing is consumed or
 * answered on a promise the store cannot keep. A store away at start is an outage the services
 * ride out, so the requirement is then asked again every {@code recheckEvery} until the store
 * answers, and if it is unmet then, the service stops, as it would have at start. A store changed
 * for the worse while the service runs is not watched for.
 */
public final class StartRequirementCheck implements SmartLifecycle {

    static final Duration RECHECK_EVERY = Duration.ofSeconds(15);
    private static final Logger log = LoggerFactory.getLogger(StartRequirementCheck.class);

    private final StartRequirement requirement;
    private final ConfigurableApplicationContext context;
    private final Duration recheckEvery;
    private ScheduledExecutorService rechecks;
    private volatile boolean running;

    public StartRequirementCheck(StartRequirement requirement, ConfigurableApplicationContext context) {
        this(requirement, context, RECHECK_EVERY);
    }

    StartRequirementCheck(StartRequirement requirement, ConfigurableApplicationContext context, Duration recheckEvery) {
        this.requirement = requirement;
        this.context = context;
        this.recheckEvery = recheckEvery;
    }

    @Override
    public int getPhase() {
        return 0;
    }

    @Override
    public void start() {
        running = true;
        try {
            Optional<String> unmet = requirement.unmet();
            if (unmet.isPresent()) {
                throw new IllegalStateException(unmet.get());
            }
        } catch (StartRequirement.Unanswered e) {
            log.warn("{} could not be checked ({}): checked again every {} until it can", requirement.subject(), e.getMessage(),
                    recheckEvery);
            rechecks = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "start-requirement-check");
                thread.setDaemon(true);
                return thread;
            });
            rechecks.scheduleWithFixedDelay(this::recheck, recheckEvery.toMillis(), recheckEvery.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void recheck() {
        Optional<String> unmet;
        try {
            unmet = requirement.unmet();
        } catch (StartRequirement.Unanswered e) {
            return;
        }
        rechecks.shutdown();
        if (unmet.isPresent()) {
            log.error("{}; stopping", unmet.get());
            // Not on this thread: closing the context stops this lifecycle, which waits for its rechecks.
            new Thread(context::close, "start-requirement-stop").start();
        } else {
            log.info("{} checked: as required", requirement.subject());
        }
    }

    @Override
    public void stop() {
        running = false;
        if (rechecks != null) {
            rechecks.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
