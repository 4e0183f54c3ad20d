package dev.trackpipeline.runtime;

import dev.trackpipeline.model.Outcome;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A consumed record given up on, and why. */
public record DeadLetter(ConsumerRecord<String, byte[]> record, Outcome outcome, String reason) {
}
