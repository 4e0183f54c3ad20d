package dev.trackpipeline.gateway;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * What the heap holds while something runs, from the collector's own reports. The heap's "used"
 * counts garbage not yet collected, so it says more about when the collector last ran than about
 * what is live; what a full collection leaves behind is the live set, and what any collection
 * leaves behind is at least that.
 */
final class HeapWatch implements AutoCloseable, NotificationListener {

    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private final AtomicLong mostAfterFullCollection = new AtomicLong();
    private final AtomicLong mostAfterAnyCollection = new AtomicLong();
    private final AtomicInteger fullCollections = new AtomicInteger();
    private final AtomicInteger collections = new AtomicInteger();

    private HeapWatch() {
        collectors.forEach(collector -> ((NotificationEmitter) collector).addNotificationListener(this, null, null));
    }

    static HeapWatch start() {
        return new HeapWatch();
    }

    /** The heap's live set now: what a full collection leaves. */
    static long liveBytesNow() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long maxHeapBytes() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
    }

    @Override
    public void handleNotification(Notification notification, Object handback) {
        if (!notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        long after = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                .filter(pool -> heapPools.contains(pool.getKey())).map(pool -> pool.getValue()).mapToLong(MemoryUsage::getUsed).sum();
        collections.incrementAndGet();
        mostAfterAnyCollection.accumulateAndGet(after, Math::max);
        if (info.getGcAction().contains("major")) {
            fullCollections.incrementAndGet();
            mostAfterFullCollection.accumulateAndGet(after, Math::max);
        }
    }

    /** The largest live set a full collection found; 0 when none ran. */
    long mostAfterFullCollection() {
        return mostAfterFullCollection.get();
    }

    long mostAfterAnyCollection() {
        return mostAfterAnyCollection.get();
    }

    int fullCollections() {
        return fullCollections.get();
    }

    int collections() {
        return collections.get();
    }

    @Override
    public void close() {
        for (GarbageCollectorMXBean collector : collectors) {
            try {
                ((NotificationEmitter) collector).removeNotificationListener(this);
            } catch (ListenerNotFoundException e) {
                // never added to this one: nothing to remove
            }
        }
    }
}
