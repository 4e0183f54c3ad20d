package dev.trackpipeline.writer.store;

import com.mongodb.WriteConcern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What MongoDB must have done with a write before the writer counts it stored and commits its
 * offset: by default a majority of a replica set's members hold it in their journals, so a
 * failover never rolls back an event Kafka no longer has to give again. A {@code w} or
 * {@code journal} in MONGODB_URI takes precedence over these.
 *
 * @param w       {@code majority}, a number of members (1 or more: 0 would acknowledge nothing), or
 *                a tag set's name
 * @param journal whether each of them must have it in its journal
 */
@ConfigurationProperties("track.writer.write-concern")
public record WriteConcernProperties(@DefaultValue("majority") String w, @DefaultValue("true") boolean journal) {

    public WriteConcern toWriteConcern() {
        WriteConcern concern = w.chars().allMatch(Character::isDigit) && !w.isEmpty()
                ? new WriteConcern(Integer.parseInt(w)) : new WriteConcern(w);
        return concern.withJournal(journal);
    }
}
