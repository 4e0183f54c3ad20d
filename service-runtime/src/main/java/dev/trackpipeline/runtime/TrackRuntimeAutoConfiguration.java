package dev.trackpipeline.runtime;

import dev.trackpipeline.model.event.EventFamilies;
import dev.trackpipeline.model.event.EventValidator;
import dev.trackpipeline.model.ingest.IngestLimits;
import dev.trackpipeline.model.kafka.EventRecordReader;
import dev.trackpipeline.model.kafka.TopicNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.support.KafkaUtils;

/** The schema, topics and project registry every service uses, wired once. */
@AutoConfiguration
@EnableConfigurationProperties(TrackProperties.class)
@Import({ReadAuthorization.class, ApiErrorResponses.class, ConsumerFailureHandling.class, AsynchronousOffsetCommits.class,
        NativeLz4.class, ApiDescription.class, BenchListenerControls.class})
public class TrackRuntimeAutoConfiguration {

    @Bean
    EventFamilies eventFamilies() {
        return new EventFamilies();
    }

    @Bean
    EventValidator eventValidator(EventFamilies families) {
        return new EventValidator(families);
    }

    @Bean
    IngestLimits ingestLimits(TrackProperties properties) {
        return properties.limits().toIngestLimits();
    }

    /** A consumer that never reads some fields declares its own reader (see the aggregator). */
    @Bean
    @ConditionalOnMissingBean
    EventRecordReader eventRecordReader(EventValidator validator, IngestLimits limits) {
        return new EventRecordReader(validator, limits);
    }

    /** Only in a consumer: it declares its store's {@link StoreOutages}. */
    @Bean
    @ConditionalOnBean(StoreOutages.class)
    ConsumedBatch consumedBatch(EventRecordReader reader, StoreOutages outages, DeadLetters deadLetters, ConsumerProgress progress,
                                TrackProperties properties, MeterRegistry meters) {
        // The group as KafkaDeadLetters names it on the letters a redrive puts back: the listener thread's.
        return new ConsumedBatch(reader, outages, deadLetters, progress, properties.consumer(),
                new RedrivenRecords(KafkaUtils::getConsumerGroupId, meters));
    }

    /** Only in a consumer: a user without a right the probe needs would halt it at its first bad record. */
    @Bean
    @ConditionalOnBean(StoreOutages.class)
    WriteProbeAtStartup writeProbeAtStartup(StoreOutages outages) {
        return new WriteProbeAtStartup(outages);
    }

    @Bean
    TopicNames topicNames(TrackProperties properties) {
        return new TopicNames(properties.topics().prefix());
    }

    @Bean(destroyMethod = "close")
    ProjectCatalog projectCatalog(TrackProperties properties) {
        if (properties.projectsFile() == null || properties.projectsFile().isBlank()) {
            throw new IllegalStateException("TRACK_PROJECTS_FILE is not set: name the YAML or JSON file that lists "
                    + "the projects (apikey, readToken), for example config/projects.yml");
        }
        return new ProjectCatalog(Path.of(properties.projectsFile()), properties.projectsReloadInterval());
    }

    /** Every service declares all topics: whichever starts first creates them with the right settings. */
    @Bean
    KafkaAdmin.NewTopics trackTopics(TrackProperties properties, TopicNames names, EventFamilies families) {
        TrackProperties.Topics topics = properties.topics();
        Map<String, String> config = Map.of(
                TopicConfig.RETENTION_MS_CONFIG, String.valueOf(topics.retention().toMillis()),
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(topics.maxMessageBytes()),
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(topics.minInsyncReplicas()));
        List<NewTopic> declared = new ArrayList<>();
        for (String topic : names.eventTopics(families)) {
            declared.add(TopicBuilder.name(topic).partitions(topics.partitions()).replicas(topics.replicationFactor())
                    .configs(config).build());
        }
        declared.add(TopicBuilder.name(names.deadLetter()).partitions(1).replicas(topics.replicationFactor())
                .configs(config).build());
        return new KafkaAdmin.NewTopics(declared.toArray(NewTopic[]::new));
    }

    /**
     * The topics just declared, found as durable as declared, or the service does not start. Topics
     * missing when Kafka was away at start are made when it answers, unless
     * {@code spring.kafka.admin.auto-create} is off (topics made by the operator).
     */
    @Bean
    StartRequirementCheck durableTopicsCheck(KafkaAdmin admin, KafkaProperties kafka, TrackProperties properties, TopicNames names,
                                             EventFamilies families, ConfigurableApplicationContext context) {
        List<String> topics = new ArrayList<>(names.eventTopics(families));
        topics.add(names.deadLetter());
        BooleanSupplier makeTopics = kafka.getAdmin().isAutoCreate() ? admin::initialize : () -> false;
        return StartRequirementCheck.of(new TopicDurability(admin.getConfigurationProperties(), properties.topics(), topics, makeTopics),
                context);
    }
}
