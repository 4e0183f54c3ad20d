package dev.trackpipeline.runtime;

import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHashFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Makes Kafka's lz4 codec the native one. Kafka asks lz4-java for its fastest codec once per
 * process, and lz4-java offers its native build only when that is already loaded or when
 * lz4-java itself was loaded by the system class loader. Inside a Spring Boot jar neither holds,
 * so every service compressed and decompressed with the pure-Java codec: 14 % of the
 * aggregator's consumer thread during a drain and 9 % of the writer's (JFR), while Kafka's own
 * tools, started from a plain class path, ran the native one. Loading it here, while the context
 * starts and before any record is sent or fetched, settles Kafka's choice. Where no native build
 * loads (an unusual platform), the Java codec stays, as before.
 */
@Configuration(proxyBeanMethods = false)
public class NativeLz4 {

    private static final Logger log = LoggerFactory.getLogger(NativeLz4.class);

    /** Which lz4 codec and checksum Kafka uses in this process. */
    public record KafkaLz4Codec(String codec, String checksum) {
    }

    @Bean
    KafkaLz4Codec kafkaLz4Codec() {
        try {
            LZ4Factory.nativeInstance();
            XXHashFactory.nativeInstance();
        } catch (LinkageError | RuntimeException e) {
            log.warn("lz4: no native codec for this platform ({}); Kafka compresses with the pure-Java one", e.toString());
        }
        KafkaLz4Codec codec = new KafkaLz4Codec(LZ4Factory.fastestInstance().toString(), XXHashFactory.fastestInstance().toString());
        log.info("Kafka's lz4 codec: {}, checksum {}", codec.codec(), codec.checksum());
        return codec;
    }
}
