package dev.trackpipeline.aggregator.query;

import dev.trackpipeline.aggregator.metrics.MetricKeys;
import dev.trackpipeline.aggregator.metrics.MetricKeys.Bucket;
import dev.trackpipeline.aggregator.metrics.VitalsHistogram;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;

/**
 * A window's percentiles of fine histograms ({@link VitalsHistogram#FINE}), read in two passes so
 * that the cost does not grow with how many of the scale's 1,230 buckets anyone fills: first every
 * bucket's coarse histograms ({@link MetricKeys#coarseHistograms}, one hash a bucket), which say
 * which coarse bucket each percentile falls in and how many values lie below it; then, from the
 * buckets that counted anything there, only the fine buckets inside those (one HMGET each). The
 * answer is the one adding up the fine histograms whole would give. Read whole, a 1 h window of
 * histograms filled on purpose was 15.3 MB from Redis for one overview.
 *
 * <p>A vital's histogram in a bucket the previous version wrote (before coarse histograms, or by
 * an instance still running it during an upgrade) has fine counts its coarse ones lack. The
 * bucket's rating counts, which every version writes once for each value in the histogram, tell:
 * when they add up to more than its coarse histogram, that histogram is read whole and fine, as
 * before. Such buckets age out with their retention.
 */
final class WindowPercentiles {

    /** The percentiles a summary shows. */
    static final double[] PERCENTILES = {0.50, 0.75, 0.95};

    /**
     * One fine histogram per bucket.
     *
     * @param name          its family in the coarse hash: a vital's name, or {@link MetricKeys#RESOURCES}
     * @param fineKey       its fine histogram in a bucket
     * @param countedFields fields of the bucket's counters that every version adds up to the
     *                      histogram's total, or none when no previous version wrote the fine key
     */
    record Family(String name, Function<Bucket, String> fineKey, List<String> countedFields) {
    }

    /** A family's values in the window: how many, and p50, p75, p95, null without values. */
    record Percentiles(long samples, Double p50, Double p75, Double p95) {
        static final Percentiles NONE = new Percentiles(0, null, null, null);
    }

    private final VitalsHistogram scale = VitalsHistogram.FINE;

    Map<String, Percentiles> read(AbstractPipeline pipeline, String apikey, List<Bucket> cover, List<Family> families) {
        Map<String, Histogram> histograms = new LinkedHashMap<>();
        families.forEach(family -> histograms.put(family.name(), new Histogram(family)));
        List<Response<Map<String, String>>> coarseReplies = new ArrayList<>();
        List<Response<List<String>>> counted = new ArrayList<>();
        String[] countedFields = families.stream().flatMap(family -> family.countedFields().stream()).toArray(String[]::new);
        for (List<Bucket> some : MetricsReader.chunks(cover)) {
            coarseReplies.clear();
            counted.clear();
            for (Bucket bucket : some) {
                coarseReplies.add(pipeline.hgetAll(MetricKeys.coarseHistograms(apikey, bucket.resolution(), bucket.index())));
                if (countedFields.length > 0) {
                    counted.add(pipeline.hmget(MetricKeys.counters(apikey, bucket.resolution(), bucket.index()), countedFields));
                }
            }
            pipeline.sync();
            Map<Histogram, List<Response<Map<String, String>>>> wholeReads = new HashMap<>();
            for (int index = 0; index < some.size(); index++) {
                Map<String, Map<String, Long>> byFamily = byFamily(coarseReplies.get(index).get());
                List<String> counts = countedFields.length > 0 ? counted.get(index).get() : List.of();
                int field = 0;
                for (Family family : families) {
                    Map<String, Long> bucketCoarse = byFamily.getOrDefault(family.name(), Map.of());
                    long countedTotal = 0;
                    for (int i = 0; i < family.countedFields().size(); i++, field++) {
                        countedTotal += counts.get(field) == null ? 0 : Long.parseLong(counts.get(field));
                    }
                    Histogram histogram = histograms.get(family.name());
                    if (countedTotal > total(bucketCoarse)) {
                        wholeReads.computeIfAbsent(histogram, first -> new ArrayList<>()).add(pipeline.hgetAll(family.fineKey().apply(some.get(index))));
                    } else if (!bucketCoarse.isEmpty()) {
                        histogram.addCoarse(some.get(index), bucketCoarse);
                    }
                }
            }
            if (!wholeReads.isEmpty()) {
                pipeline.sync();
                wholeReads.forEach((histogram, replies) -> replies.forEach(reply -> histogram.addWhole(counts(reply.get()))));
            }
        }
        histograms.values().forEach(Histogram::findTheCoarseBucketsOfThePercentiles);
        // The second pass, every family's fine reads of a few buckets in one round trip.
        for (List<Bucket> some : MetricsReader.chunks(cover)) {
            List<Runnable> addReplies = new ArrayList<>();
            histograms.values().forEach(histogram -> histogram.readFineBucketsOfThePercentiles(pipeline, some, addReplies));
            if (!addReplies.isEmpty()) {
                pipeline.sync();
                addReplies.forEach(Runnable::run);
            }
        }
        Map<String, Percentiles> answers = new LinkedHashMap<>();
        histograms.forEach((name, histogram) -> answers.put(name, histogram.percentiles()));
        return answers;
    }

    private static Map<String, Map<String, Long>> byFamily(Map<String, String> coarseHash) {
        Map<String, Map<String, Long>> byFamily = new HashMap<>();
        coarseHash.forEach((field, count) -> {
            int colon = field.lastIndexOf(':');
            byFamily.computeIfAbsent(field.substring(0, colon), first -> new HashMap<>()).put(field.substring(colon + 1), Long.parseLong(count));
        });
        return byFamily;
    }

    private static Map<String, Long> counts(Map<String, String> hash) {
        Map<String, Long> counts = new HashMap<>();
        hash.forEach((field, count) -> counts.put(field, Long.parseLong(count)));
        return counts;
    }

    private static long total(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** One family's histogram of the window as the passes learn it. */
    private final class Histogram {

        private final Family family;
        /** Coarse bucket to count over the window, whole-read buckets included. */
        private final Map<String, Long> coarse = new HashMap<>();
        /** Per bucket read coarse, which coarse buckets it counted anything in. */
        private final Map<Bucket, Map<String, Long>> coarseByBucket = new LinkedHashMap<>();
        /** Fine counts of the buckets read whole, added up. */
        private final Map<String, Long> wholeFine = new HashMap<>();
        /** Fine counts inside the coarse buckets the percentiles fall in, added up over the window. */
        private final Map<String, Long> fineOfThePercentiles = new HashMap<>();
        private final List<String> coarseOfThePercentiles = new ArrayList<>();
        private final List<Long> belowThePercentiles = new ArrayList<>();
        private List<String> needed = List.of();
        private long samples;

        Histogram(Family family) {
            this.family = family;
        }

        void addCoarse(Bucket bucket, Map<String, Long> counts) {
            coarseByBucket.put(bucket, counts);
            counts.forEach((coarseBucket, count) -> coarse.merge(coarseBucket, count, Long::sum));
        }

        void addWhole(Map<String, Long> fine) {
            fine.forEach((field, count) -> {
                String fineBucket = scale.onScale(field);
                wholeFine.merge(fineBucket, count, Long::sum);
                coarse.merge(VitalsHistogram.coarseOf(fineBucket), count, Long::sum);
            });
        }

        /** Finds the coarse bucket each percentile falls in, and how many values lie below it; takes the whole-read buckets' fine counts there. */
        void findTheCoarseBucketsOfThePercentiles() {
            samples = total(coarse);
            if (samples == 0) {
                return;
            }
            List<String> ordered = coarse.keySet().stream()
                    .sorted(Comparator.comparingDouble(bucket -> scale.valueOf(scale.bucketsIn(bucket).get(0)))).toList();
            for (double p : PERCENTILES) {
                long rank = rank(p);
                long below = 0;
                for (String coarseBucket : ordered) {
                    if (below + coarse.get(coarseBucket) >= rank) {
                        coarseOfThePercentiles.add(coarseBucket);
                        belowThePercentiles.add(below);
                        break;
                    }
                    below += coarse.get(coarseBucket);
                }
            }
            needed = coarseOfThePercentiles.stream().distinct().toList();
            wholeFine.forEach((fineBucket, count) -> {
                if (needed.contains(VitalsHistogram.coarseOf(fineBucket))) {
                    fineOfThePercentiles.merge(fineBucket, count, Long::sum);
                }
            });
        }

        /**
         * Queues, for those of {@code buckets} read coarse that counted anything in the
         * percentiles' coarse buckets, one HMGET of the fine buckets inside them; what adds each
         * reply up goes to {@code addReplies}, to run once the pipeline is synced.
         */
        void readFineBucketsOfThePercentiles(AbstractPipeline pipeline, List<Bucket> buckets, List<Runnable> addReplies) {
            for (Bucket bucket : buckets) {
                Map<String, Long> counted = coarseByBucket.get(bucket);
                if (counted == null) {
                    continue;
                }
                List<String> fields = needed.stream().filter(counted::containsKey)
                        .flatMap(coarseBucket -> scale.bucketsIn(coarseBucket).stream()).toList();
                if (fields.isEmpty()) {
                    continue;
                }
                Response<List<String>> reply = pipeline.hmget(family.fineKey().apply(bucket), fields.toArray(String[]::new));
                addReplies.add(() -> {
                    List<String> counts = reply.get();
                    for (int field = 0; field < counts.size(); field++) {
                        if (counts.get(field) != null) {
                            fineOfThePercentiles.merge(fields.get(field), Long.parseLong(counts.get(field)), Long::sum);
                        }
                    }
                });
            }
        }

        Percentiles percentiles() {
            if (samples == 0) {
                return Percentiles.NONE;
            }
            Double[] values = new Double[PERCENTILES.length];
            for (int index = 0; index < PERCENTILES.length; index++) {
                values[index] = within(coarseOfThePercentiles.get(index), rank(PERCENTILES[index]) - belowThePercentiles.get(index));
            }
            return new Percentiles(samples, values[0], values[1], values[2]);
        }

        /**
         * The value of the fine bucket holding the {@code rank}-th value of a coarse bucket. Should
         * its fine counts add up to less than its coarse count (a vital's fine key expired before
         * the bucket's coarse hash: a bucket ahead of Redis's clock lives from each write, so the
         * hash written last outlives the others), the coarse bucket's middle stands for it, off by
         * at most about a fifth.
         */
        private double within(String coarseBucket, long rank) {
            List<String> fine = scale.bucketsIn(coarseBucket);
            long seen = 0;
            for (String fineBucket : fine) {
                seen += fineOfThePercentiles.getOrDefault(fineBucket, 0L);
                if (seen >= rank) {
                    return scale.valueOf(fineBucket);
                }
            }
            return scale.valueOf(fine.get(fine.size() / 2));
        }

        private long rank(double p) {
            return (long) Math.ceil(p * samples);
        }
    }
}
