package dev.trackpipeline.bench;

import dev.trackpipeline.launcher.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;

/**
 * How fast a consumer, or several instances of it in one group, drain prepared events, measured
 * in their steady state. Each run's service is a fresh JVM, and on two cores its JIT compilers
 * took more CPU than its consumer thread for the first ten seconds of a drain, and still a fifth
 * of a core after a warm-up four times as long: measured straight away, the figure measured the
 * compilers, not the rate a running service sustains. So the service first drains the warm-up
 * events, is paused (its listeners hold their partitions and their place) until its compilers
 * have gone quiet, and is measured from its resume to the commit that reaches the end of the
 * topics. Several instances go through the same steps, each paused at the end of its own share
 * of the warm-up events, all resumed together.
 */
final class ConsumerDrain {

    private ConsumerDrain() {
    }

    /**
     * A drain's rate, the CPU it took per event, what of that the services' compilers used, all
     * over the same window, how long the services were paused for their compilers beforehand,
     * how many of the measured events each instance drained (its partitions' share: the events'
     * keys decide it), and how busy the whole machine was meanwhile (0 to 1).
     */
    record Drained(double eventsPerSecond, CpuTime.PerEvent cpu, double compilerMicrosPerEvent, CompilerThreads.Settled settled,
                   List<Long> eventsByInstance, double machineBusy) {
    }

    /** Starts the instances of a drain, handing each to {@code whenHealthy} as soon as it is. */
    interface Instances {
        List<ServiceProcess> start(BenchServices.WhenHealthy whenHealthy) throws Exception;
    }

    /**
     * Starts the instances (which all join {@code group}: one, or several sharing its partitions)
     * and measures their drain: each paused once it has drained its own partitions' warm-up
     * events, all resumed together, timed until the last of them has drained to the end, their
     * CPU added up. Each is also paused the moment it is healthy, and all begin the warm-up
     * together once the group has given each its partitions: the first up would otherwise drain
     * alone while the others start. So every instance stands at its warm-up's end when the drain
     * starts, however fast each went, and one instance and two drain the same events.
     *
     * @param settleLimit the longest pause for the compilers before measuring anyway
     */
    static Drained measure(KafkaOffsets offsets, String group, Backlog backlog, Instances instances, Duration settleLimit,
                           Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ServiceProcess> consumers = instances.start(instance -> new ListenerControls(instance.url()).pause(timeout));
        long[] pids = consumers.stream().mapToLong(ServiceProcess::pid).toArray();
        ListenerControls listeners = new ListenerControls(consumers.stream().map(ServiceProcess::url).toArray(String[]::new));
        CompilerThreads compilers = new CompilerThreads(consumers.stream().map(ServiceProcess::pid).toList());
        List<Set<TopicPartition>> partitions = awaitPartitions(offsets, group, consumers, deadline);
        listeners.resume();
        pauseEachWhenWarmedUp(offsets, group, consumers, partitions, backlog.warmedUp(), timeout, deadline);
        CompilerThreads.Settled settled = compilers.awaitQuiet(CompilerThreads.QUIET, settleLimit);
        Map<TopicPartition, Long> first = awaitCommitsSettled(offsets, group, deadline);
        // A drain said to be by two instances must be by two: if the group shared its partitions out anew, or an instance
        // had nothing left, one would drain alone.
        if (!Set.copyOf(offsets.assignments(group).values()).equals(Set.copyOf(partitions))) {
            throw new IllegalStateException(group + ": its partitions were shared out anew during the warm-up");
        }
        if (anyDone(partitions, first, backlog.end())) {
            throw new IllegalStateException(group + ": an instance had drained all of its partitions before the pause (events left by"
                    + " instance: " + eventsByMember(partitions, first, backlog.end()) + "): too few events to measure a rate");
        }

        CpuTime firstCpu = CpuTime.now(pids);
        Duration firstCompilers = compilers.cpu().orElse(Duration.ZERO);
        MachineCpu firstMachine = MachineCpu.now();
        long firstAt = System.nanoTime();
        listeners.resume();
        long endSum = KafkaOffsets.sum(backlog.end().values());
        awaitCommitted(offsets, group, endSum, deadline);
        long elapsed = System.nanoTime() - firstAt;
        long events = endSum - KafkaOffsets.sum(first.values());
        CpuTime used = CpuTime.now(pids).since(firstCpu);
        double machineBusy = MachineCpu.now().busyShareSince(firstMachine);
        Duration compiling = compilers.cpu().orElse(firstCompilers).minus(firstCompilers);
        return new Drained(events / (elapsed / 1e9), used.perEvent(events), compiling.toNanos() / 1e3 / events, settled,
                eventsByMember(partitions, first, backlog.end()), machineBusy);
    }

    /** Each instance's partitions, in the instances' order, once the group has given every one of them some. */
    private static List<Set<TopicPartition>> awaitPartitions(KafkaOffsets offsets, String group, List<ServiceProcess> consumers,
                                                             long deadline) throws Exception {
        while (true) {
            Map<String, Set<TopicPartition>> members = offsets.assignments(group);
            List<Set<TopicPartition>> partitions = new ArrayList<>();
            for (ServiceProcess consumer : consumers) {
                members.entrySet().stream().filter(member -> BenchServices.isConsumerOf(member.getKey(), consumer)).findFirst()
                        .ifPresent(member -> partitions.add(member.getValue()));
            }
            if (partitions.size() == consumers.size()) {
                return partitions;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(group + ": " + partitions.size() + " of its " + consumers.size()
                        + " instances got partitions in time");
            }
            Thread.sleep(50);
        }
    }

    /** Pauses each instance as soon as it has committed as many events as its partitions hold warm-up events. */
    private static void pauseEachWhenWarmedUp(KafkaOffsets offsets, String group, List<ServiceProcess> consumers,
                                              List<Set<TopicPartition>> partitions, Map<TopicPartition, Long> warmedUp, Duration timeout,
                                              long deadline) throws Exception {
        List<Integer> warming = new ArrayList<>(IntStream.range(0, consumers.size()).boxed().toList());
        while (!warming.isEmpty()) {
            Map<TopicPartition, Long> committed = offsets.committedByPartition(group);
            for (Iterator<Integer> instance = warming.iterator(); instance.hasNext(); ) {
                int index = instance.next();
                if (warmedUp(partitions.get(index), committed, warmedUp)) {
                    new ListenerControls(consumers.get(index).url()).pause(timeout);
                    instance.remove();
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(group + " did not drain its warm-up events in time");
            }
            Thread.sleep(20);
        }
    }

    /** Whether an instance holding {@code partitions} has committed, in all of them together, as many events as they hold warm-up events. */
    static boolean warmedUp(Set<TopicPartition> partitions, Map<TopicPartition, Long> committed, Map<TopicPartition, Long> warmedUp) {
        long done = partitions.stream().mapToLong(partition -> committed.getOrDefault(partition, 0L)).sum();
        return done >= partitions.stream().mapToLong(partition -> warmedUp.getOrDefault(partition, 0L)).sum();
    }

    /** How far each member's partitions moved between two readings of the group's committed offsets. */
    static List<Long> eventsByMember(List<Set<TopicPartition>> members, Map<TopicPartition, Long> first, Map<TopicPartition, Long> last) {
        return members.stream().map(partitions -> partitions.stream()
                .mapToLong(partition -> last.getOrDefault(partition, 0L) - first.getOrDefault(partition, 0L)).sum()).toList();
    }

    /** Whether some member has committed every one of its partitions up to {@code end}. */
    static boolean anyDone(List<Set<TopicPartition>> members, Map<TopicPartition, Long> committed, Map<TopicPartition, Long> end) {
        return members.stream().anyMatch(partitions -> partitions.stream()
                .allMatch(partition -> committed.getOrDefault(partition, 0L) >= end.getOrDefault(partition, 0L)));
    }

    private static void awaitCommitted(KafkaOffsets offsets, String group, long sum, long deadline) throws Exception {
        while (offsets.committed(group) < sum) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(group + " did not commit up to offset sum " + sum + " in time");
            }
            Thread.sleep(20);
        }
    }

    /** A paused consumer's last commits are asynchronous: the place it was paused at is where they stop moving. */
    private static Map<TopicPartition, Long> awaitCommitsSettled(KafkaOffsets offsets, String group, long deadline) throws Exception {
        Map<TopicPartition, Long> previous = offsets.committedByPartition(group);
        while (true) {
            Thread.sleep(200);
            Map<TopicPartition, Long> now = offsets.committedByPartition(group);
            if (now.equals(previous)) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(group + " kept committing while paused");
            }
            previous = now;
        }
    }
}
