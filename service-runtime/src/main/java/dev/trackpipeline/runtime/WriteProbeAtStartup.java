package dev.trackpipeline.runtime;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * Sends the store's probe write ({@link StoreOutages#takesWrites}) once when the consumer has
 * started. The probe decides, when a record fails alone, whether it is dead-lettered or waited for
 * as an outage: a user lacking a right the probe needs would turn the first bad record into an
 * outage that never ends. Asked at start-up, the store names the missing right in the log (an
 * ERROR) before any record depends on it. The answer decides nothing here, so it is asked on a
 * thread of its own: a consumer started before its store must not wait for the store's timeout
 * to finish starting.
 */
public final class WriteProbeAtStartup {

    private final StoreOutages outages;

    public WriteProbeAtStartup(StoreOutages outages) {
        this.outages = outages;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void onReady() {
        Thread thread = new Thread(this::probe, "write-probe-at-startup");
        thread.setDaemon(true);
        thread.start();
    }

    void probe() {
        outages.takesWrites();
    }
}
