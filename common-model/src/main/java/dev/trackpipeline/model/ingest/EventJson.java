package dev.trackpipeline.model.ingest;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/** The JSON reader for untrusted event bytes: bounded so hostile input cannot exhaust memory or stack. */
public final class EventJson {

    private EventJson() {
    }

    public static JsonMapper mapper(IngestLimits limits) {
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxNestingDepth())
                .maxStringLength(limits.maxDecompressedBytes())
                .maxDocumentLength(limits.maxDecompressedBytes())
                .maxNumberLength(100)
                .build();
        return JsonMapper.builder(JsonFactory.builder().streamReadConstraints(constraints).build()).build();
    }
}
