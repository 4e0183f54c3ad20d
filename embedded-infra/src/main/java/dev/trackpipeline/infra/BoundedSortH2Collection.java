package dev.trackpipeline.infra;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DocumentComparator;
import de.bwaldvogel.mongo.backend.DocumentWithPosition;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.h2.mvstore.MVMap;

/**
 * The stand-in's collection, whose sorted and limited queries hold only the documents that can
 * still be in the answer. The library sorts every match in memory before it skips and limits, so
 * the first page of a list over a month of a busy project (hundreds of thousands of documents,
 * each decoded) ran the stand-in's JVM out of heap, and since that JVM holds the Kafka broker too,
 * one read stopped the whole embedded pipeline. Here a query with a sort and a limit keeps at most
 * skip + limit documents (a bounded heap, ties in the order the scan met them, as the library's
 * stable sort leaves them), slimmed to the projection's fields when the projection keeps every
 * sort key. It still reads every document of the collection: the stand-in has no secondary
 * indexes, which is why its reads grow with the collection where MongoDB's do not.
 *
 * <p>Aggregations (the driver's {@code countDocuments} is one: match, limit, group) read the
 * collection through {@link #queryAllAsStream}, which the library answers with a query matching
 * everything, every document decoded into one list before the first stage sees any: a count over a
 * month of a busy project ran the stand-in's JVM out of heap again. Here they stream from the store.
 */
final class BoundedSortH2Collection extends H2Collection {

    BoundedSortH2Collection(MongoDatabase database, String collectionName, CollectionOptions options, MVMap<Object, Document> dataMap,
                            MVMap<String, Object> metaMap, CursorRegistry cursorRegistry) {
        super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
    }

    @Override
    protected QueryResult matchDocumentsFromStream(Stream<Document> documents, Document query, Document orderBy, int numberToSkip,
                                                   int limit, int batchSize, Document fieldSelector) {
        DocumentComparator order = deriveComparator(orderBy);
        if (order == null || limit <= 0) {
            return super.matchDocumentsFromStream(documents, query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
        List<Document> firstInOrder = firstInOrder(documents.filter(document -> documentMatchesQuery(document, query)), order,
                numberToSkip, limit, slimming(fieldSelector, orderBy.keySet(), getIdField()));
        // Already matched, sorted, skipped and limited: the library only projects them (an empty query matches all).
        return super.matchDocumentsFromStream(new Document(), firstInOrder.stream(), 0, 0, batchSize, null, fieldSelector);
    }

    /**
     * Every document, one at a time as the stream is read, not gathered first (see above). Of no
     * known size: the store's live size can differ from the snapshot the stream reads, and a
     * {@code $sort} first in a pipeline would size its array by it.
     */
    @Override
    public Stream<Document> queryAllAsStream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(streamAllDocumentsWithPosition().iterator(), Spliterator.ORDERED), false)
                .map(DocumentWithPosition::getDocument);
    }

    /**
     * The documents at positions {@code skip} to {@code skip + limit} of {@code documents} sorted
     * by {@code order} (a stable sort), holding at most {@code skip + limit} of them at any time.
     */
    static List<Document> firstInOrder(Stream<Document> documents, Comparator<Document> order, int skip, int limit,
                                       UnaryOperator<Document> slim) {
        int kept = (int) Math.min(Integer.MAX_VALUE - 8, (long) skip + limit);
        Comparator<Ranked> ranking = Comparator.<Ranked, Document>comparing(Ranked::document, order).thenComparingLong(Ranked::scanned);
        PriorityQueue<Ranked> best = new PriorityQueue<>(Math.min(kept, 1024) + 1, ranking.reversed()); // the worst kept on top
        long[] scanned = {0};
        documents.forEachOrdered(document -> {
            Ranked ranked = new Ranked(slim.apply(document), scanned[0]++);
            if (best.size() < kept) {
                best.add(ranked);
            } else if (ranking.compare(ranked, best.peek()) < 0) {
                best.poll();
                best.add(ranked);
            }
        });
        List<Ranked> sorted = new ArrayList<>(best);
        sorted.sort(ranking);
        List<Document> page = new ArrayList<>(Math.max(0, sorted.size() - skip));
        for (int i = skip; i < sorted.size(); i++) {
            page.add(sorted.get(i).document());
        }
        return page;
    }

    /**
     * What a kept document can be reduced to before the projection proper: the projection's fields
     * when it includes plain top-level fields only and every sort key among them, else the whole.
     */
    static UnaryOperator<Document> slimming(Document fieldSelector, Set<String> sortKeys, String idField) {
        if (fieldSelector == null || fieldSelector.isEmpty()) {
            return UnaryOperator.identity();
        }
        for (var field : fieldSelector.entrySet()) {
            boolean included = field.getValue() instanceof Boolean flag ? flag
                    : field.getValue() instanceof Number number && number.doubleValue() != 0;
            if (!included || field.getKey().contains(".") || field.getKey().startsWith("$")) {
                return UnaryOperator.identity();
            }
        }
        for (String key : sortKeys) {
            if (!key.equals(idField) && !fieldSelector.containsKey(key)) {
                return UnaryOperator.identity();
            }
        }
        return document -> {
            Document slim = new Document();
            if (document.containsKey(idField)) {
                slim.put(idField, document.get(idField));
            }
            for (String field : fieldSelector.keySet()) {
                if (document.containsKey(field)) {
                    slim.put(field, document.get(field));
                }
            }
            return slim;
        };
    }

    private record Ranked(Document document, long scanned) {
    }
}
