package dev.trackpipeline.infra;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * The stand-in's file store, made to keep what it acknowledged. H2's store commits on a timer (a
 * second by default), so a killed server would lose writes it had already answered, and the
 * writer, having committed its Kafka offsets on that answer, would never offer them again. Real
 * MongoDB keeps an acknowledged write through a process kill; so does this store, by committing to
 * the file (the operating system's cache, which outlives the process) before each reply leaves.
 * Every command of either wire protocol comes through {@code handleCommand}. A commit with nothing
 * changed costs nothing, so reads pay nothing for it.
 */
final class CommitBeforeReplyH2Backend extends H2Backend {

    CommitBeforeReplyH2Backend(String fileName) {
        super(fileName);
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
        try {
            return super.handleCommand(channel, database, command, query);
        } finally {
            commit(); // also after a refusal: an unordered insert may have stored part of its batch
        }
    }
}
