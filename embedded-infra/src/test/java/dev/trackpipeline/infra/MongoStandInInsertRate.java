package dev.trackpipeline.infra;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;

/**
 * A measurement, not a test: how fast the MongoDB-wire stand-in's file store takes the writer's
 * inserts as it fills. Inserts documents shaped like the writer's (a content-hash {@code _id},
 * the SDK's fields with a nested breadcrumb list, {@code receivedAt}; about 1.5 KB of BSON) in
 * unordered batches of 500, split over the collections as the writer splits a poll over its
 * families, and prints the rate and the process's CPU per document of each slice (50,000 unless
 * told).
 *
 * <pre>
 * ./mvnw -B -o -q -pl embedded-infra test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp embedded-infra/target/test-classes:embedded-infra/target/classes:$(cat embedded-infra/target/cp.txt) \
 *     dev.trackpipeline.infra.MongoStandInInsertRate [documents, 400000] [documents a line, 50000] [collections, 1] [store file, a temporary one]
 * </pre>
 */
public final class MongoStandInInsertRate {

    private static final int BATCH = 500;

    private MongoStandInInsertRate() {
    }

    public static void main(String[] args) throws IOException {
        int documents = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;
        int slice = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        int collections = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Path store = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("stand-in-rate").resolve("track.mv");
        Random random = new Random(42);
        try (EmbeddedMongoServer server = EmbeddedMongoServer.start(Optional.of(store), "127.0.0.1", FreePorts.one());
                MongoClient mongo = MongoClients.create(server.uri())) {
            List<MongoCollection<RawBsonDocument>> families = new ArrayList<>();
            for (int i = 0; i < collections; i++) {
                families.add(mongo.getDatabase("track").getCollection("family" + i, RawBsonDocument.class));
            }
            System.out.printf("store %s, %,d documents in batches of %d over %d collections, about %,d bytes each%n", store, documents,
                    BATCH, collections, event(0, random).getByteBuffer().remaining());
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long started = System.nanoTime();
            long sliceStarted = started;
            long sliceCpu = os.getProcessCpuTime();
            for (int inserted = 0; inserted < documents; ) {
                // As the writer does with a poll's records: one insert per family.
                List<List<RawBsonDocument>> batches = new ArrayList<>();
                families.forEach(family -> batches.add(new ArrayList<>()));
                for (int i = 0; i < BATCH; i++) {
                    batches.get((inserted + i) % collections).add(event(inserted + i, random));
                }
                for (int i = 0; i < collections; i++) {
                    families.get(i).insertMany(batches.get(i), new InsertManyOptions().ordered(false));
                }
                inserted += BATCH;
                if (inserted % slice == 0) {
                    long now = System.nanoTime();
                    long cpu = os.getProcessCpuTime();
                    Runtime runtime = Runtime.getRuntime();
                    // The CPU time is this whole process's, client included: on a shared machine the
                    // rate moves with the neighbours' load, the CPU per document much less.
                    System.out.printf("%,9d documents: %,7.0f docs/s over the last %,d (%,.0f overall), %,5.0f µs of CPU a document,"
                            + " store %,d MB, heap used %,d MB%n", inserted, slice / seconds(now - sliceStarted), slice,
                            inserted / seconds(now - started), (cpu - sliceCpu) / 1e3 / slice, Files.size(store) >> 20,
                            (runtime.totalMemory() - runtime.freeMemory()) >> 20);
                    sliceStarted = now;
                    sliceCpu = cpu;
                }
            }
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static RawBsonDocument event(long n, Random random) {
        List<Document> breadcrumb = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            breadcrumb.add(new Document("type", i % 2 == 0 ? "Click" : "Route").append("category", "user")
                    .append("data", "div#app > main.content > button.checkout:nth-child(" + random.nextInt(20) + ")")
                    .append("time", 1_795_642_000_000L + n * 10 + i).append("status", "ok"));
        }
        Document document = new Document("_id", eventId(n)).append("apikey", "project-" + n % 5).append("type", "error")
                .append("name", "jsError").append("time", 1_795_642_000_000L + n * 10)
                .append("sessionId", new java.util.UUID(random.nextLong(), random.nextLong()).toString())
                .append("url", "http://127.0.0.1:8080/shop/items/" + random.nextInt(500) + "?ref=campaign-" + random.nextInt(40))
                .append("userAgent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
                .append("status", "error").append("line", random.nextInt(4000)).append("column", random.nextInt(120))
                .append("message", "TypeError: Cannot read properties of undefined (reading 'price" + random.nextInt(100) + "')")
                .append("stack", "TypeError: Cannot read properties of undefined\n    at addToCart (http://127.0.0.1:8080/assets/cart.js:"
                        + random.nextInt(400) + ":17)\n    at HTMLButtonElement.onClick (http://127.0.0.1:8080/assets/app.js:88:9)")
                .append("breadcrumb", breadcrumb).append("receivedAt", new Date(1_795_642_000_000L + n * 10));
        return new RawBsonDocument(document, new DocumentCodec());
    }

    /** As the gateway's ids: a content hash, so consecutive inserts land all over the key range. */
    private static String eventId(long n) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Long.toString(n).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
