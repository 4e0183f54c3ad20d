package dev.trackpipeline.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Refuses to start a service whose store does not meet a {@link StartRequirement}, before the web
 * server and the listener containers start (both in later phases), so nothing is consumed or
 * answered on a promise the store cannot keep. A store away at start is an outage the services
 * ride out, so the requirement is then asked again every {@code recheckEvery} until the store
 * answers, and if it is unmet then, the service stops with exit code 1, as it would have at
 * start (for a supervisor to see, and not to restart into the same refusal unnoticed). Until then
 * it may have answered for up to {@code recheckEvery} after the store came back. A store changed
 * for the worse while the service runs is not watched for.
 */
public final class StartRequirementCheck implements SmartLifecycle {

    static final Duration RECHECK_EVERY = Duration.ofSeconds(5);
    /** How often a question still open is said again: the service runs meanwhile with its store unchecked. */
    static final Duration SAY_STILL_OPEN_EVERY = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(StartRequirementCheck.class);

    private final StartRequirement requirement;
    private final Runnable stopTheService;
    private final Duration recheckEvery;
    private ScheduledExecutorService rechecks;
    private volatile boolean running;
    private long lastSaidNanos;

    /** Stops the service, should the requirement turn out unmet after the start, by ending its process with exit code 1. */
    public static StartRequirementCheck of(StartRequirement requirement, ConfigurableApplicationContext context) {
        return new StartRequirementCheck(requirement, () -> System.exit(SpringApplication.exit(context, () -> 1)), RECHECK_EVERY);
    }

    StartRequirementCheck(StartRequirement requirement, Runnable stopTheService, Duration recheckEvery) {
        this.requirement = requirement;
        this.stopTheService = stopTheService;
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
            lastSaidNanos = System.nanoTime();
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
            if (System.nanoTime() - lastSaidNanos >= SAY_STILL_OPEN_EVERY.toNanos()) {
                log.warn("{} still could not be checked ({}): the service runs unchecked meanwhile; checked again every {}",
                        requirement.subject(), e.getMessage(), recheckEvery);
                lastSaidNanos = System.nanoTime();
            }
            return;
        } catch (RuntimeException e) {
            // Thrown out of a scheduled task, it would end the rechecks without a word.
            log.warn("{} could not be checked: {}; checked again in {}", requirement.subject(), e.toString(), recheckEvery);
            return;
        }
        rechecks.shutdown();
        if (unmet.isPresent()) {
            log.error("{}; stopping", unmet.get());
            // Not on this thread, which stopping the service waits for; and not a daemon, or the JVM
            // could end before the service has closed what it holds.
            Thread stopping = new Thread(stopTheService, "start-requirement-stop");
            stopping.setDaemon(false);
            stopping.start();
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
