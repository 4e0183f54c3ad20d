package dev.trackpipeline.writer.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;

/** A page's budget counts what its documents cost once decoded, which tiny values make far more than their bytes. */
class DecodedCostTest {

    @Test
    void anEventOfTheLargestSizeMadeOfTinyValuesCostsAsMuchAsItsValuesTakeOnTheHeap() {
        StringBuilder json = new StringBuilder("{\"d\":{");
        for (int i = 0; i < 100_000; i++) {
            json.append(i == 0 ? "" : ",").append('"').append(i).append("\":{}");
        }
        RawBsonDocument tiny = RawBsonDocument.parse(json.append("}}").toString());

        // 100,001 values besides the top document: about 1 MB of BSON, 15 MB once decoded.
        assertThat(tiny.getByteBuffer().remaining()).isBetween(1_000_000, 1_300_000);
        assertThat(DecodedCost.of(tiny)).isEqualTo(tiny.getByteBuffer().remaining() + 100_001L * DecodedCost.BYTES_PER_VALUE);
    }

    @Test
    void countsTheValuesOfArraysAndNestedDocumentsOnce() {
        RawBsonDocument event = RawBsonDocument.parse("{\"type\":\"error\",\"time\":1,\"breadcrumb\":[{\"type\":\"Click\",\"data\":\"a\"},"
                + "{\"type\":\"Route\"}],\"deviceInfo\":{\"browser\":\"Chrome\"},\"padding\":\"" + "x".repeat(5_000) + "\"}");

        // type, time, breadcrumb (an array of two documents of two and one values), deviceInfo (one value), padding.
        assertThat(DecodedCost.of(event)).isEqualTo(event.getByteBuffer().remaining() + 11L * DecodedCost.BYTES_PER_VALUE);
    }
}
