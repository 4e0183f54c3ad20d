package dev.trackpipeline.runtime;

/**
 * The store is up but refused this one record (a write error on its document, not an outage).
 * Retrying may help (a conflict that clears), so the record is offered again a bounded number
 * of times ({@link TrackProperties.Consumer}) and then dead-lettered, instead of either stopping
 * its partition forever or giving up on the first try.
 */
public class RecordRefusedByStoreException extends RuntimeException {

    public RecordRefusedByStoreException(String reason) {
        super(reason);
    }
}
