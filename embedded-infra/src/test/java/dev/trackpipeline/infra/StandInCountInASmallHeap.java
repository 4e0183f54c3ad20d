package dev.trackpipeline.infra;

import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.Document;

/**
 * What {@code StandInSortedPagesTest} runs in a JVM of a small heap: fills the stand-in's file store
 * with the given number of MiB in documents of 64 KiB, then counts them and groups them, through
 * the driver, and prints what it found.
 */
public final class StandInCountInASmallHeap {

    public static void main(String[] args) {
        int mebibytes = Integer.parseInt(args[1]);
        try (EmbeddedMongoServer server = EmbeddedMongoServer.start(Optional.of(Path.of(args[0])), "127.0.0.1", FreePorts.one());
             var client = MongoClients.create(server.uri())) {
            var events = client.getDatabase("track").getCollection("performance");
            String payload = "x".repeat(64 * 1024);
            int documents = mebibytes * 16;
            for (int first = 0; first < documents; first += 64) {
                List<Document> batch = new ArrayList<>();
                for (int i = first; i < Math.min(documents, first + 64); i++) {
                    batch.add(new Document("_id", "e" + i).append("apikey", "p").append("type", "performance").append("payload", payload));
                }
                events.insertMany(batch);
            }
            long counted = events.countDocuments(Filters.eq("apikey", "p"));
            Document grouped = events.aggregate(List.of(Aggregates.match(Filters.eq("apikey", "p")),
                    Aggregates.group("$type", Accumulators.sum("count", 1)))).first();
            System.out.println("counted " + counted + " of " + documents + ", grouped " + (grouped == null ? 0 : grouped.get("count")));
        }
    }
}
