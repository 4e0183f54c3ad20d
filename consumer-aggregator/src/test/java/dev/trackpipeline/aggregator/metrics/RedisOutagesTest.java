package dev.trackpipeline.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/** Which failures the aggregator waits out (Redis away or unable to write) and which are about its records. */
class RedisOutagesTest {

    final RedisOutages outages = new RedisOutages((RedisConnections) null);

    @Test
    void waitsOutNoConnectionAServerThatCannotWriteNowAndAServerTooOldForTheScript() {
        assertThat(outages.isOutage(new JedisConnectionException("Connection refused"))).isTrue();
        assertThat(outages.isOutage(new JedisDataException("LOADING Redis is loading the dataset in memory"))).isTrue();
        assertThat(outages.isOutage(new JedisDataException("READONLY You can't write against a read only replica."))).isTrue();
        assertThat(outages.isOutage(new JedisDataException("OOM command not allowed when used memory > 'maxmemory'."))).isTrue();
        assertThat(outages.isOutage(new JedisDataException(
                "ERR Error running script (call to f_1234): @user_script:33: @user_script: 33: Unknown Redis command called from Lua script"))).isTrue();
        assertThat(outages.isOutage(new JedisDataException("NOSCRIPT No matching script."))).isTrue();
    }

    /** A cluster's failover: the slot map renewed, a node's pool closed under a batch, replicas behind. */
    @Test
    void waitsOutAPoolClosedUnderABatchAndReplicasThatDidNotAcknowledge() {
        assertThat(outages.isOutage(new JedisException("Could not get a resource from the pool",
                new IllegalStateException("Pool not open")))).isTrue();
        assertThat(outages.isOutage(new JedisException("Could not get a resource from the pool",
                new java.util.NoSuchElementException("Timeout waiting for idle object")))).isTrue();
        assertThat(outages.isOutage(new ReplicasBehindException("Writes to Redis 10.0.0.1:7000 (0 of 1) reached fewer replicas"))).isTrue();
        assertThat(outages.isOutage(new JedisDataException("MOVED 3999 10.0.0.2:7000"))).isTrue();
    }

    @Test
    void takesAScriptErrorAboutTheDataForOneAboutTheRecords() {
        assertThat(outages.isOutage(new JedisDataException("WRONGTYPE Operation against a key holding the wrong kind of value"))).isFalse();
        assertThat(outages.isOutage(new JedisDataException("ERR value is not an integer or out of range"))).isFalse();
    }
}
