package dev.trackpipeline.infra;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Why redis-server stopped, read from the lines it logged (as redis-server 6.2 writes them). */
class RedisLogTest {

    @Test
    void theFirstWarningThatIsNotAboutTheMachineIsTheReason() {
        RedisLog log = new RedisLog();
        log.add("23382:C 02 Dec 2026 02:20:36.933 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
        log.add("23382:C 02 Dec 2026 02:20:36.933 # Configuration loaded");
        log.add("23382:M 02 Dec 2026 02:20:36.935 * Running mode=standalone, port=16999.");
        log.add("23382:M 02 Dec 2026 02:20:36.935 # Server initialized");
        log.add("23382:M 02 Dec 2026 02:20:36.935 # WARNING Memory overcommit must be enabled! Without it, ...");
        log.add("23390:M 02 Dec 2026 02:20:36.978 # Can't handle RDB format version 99");
        log.add("23390:M 02 Dec 2026 02:20:36.978 # Fatal error loading the DB: Invalid argument. Exiting.");

        assertThat(log.reasonToStop()).hasValue("Can't handle RDB format version 99");
        assertThat(RedisLog.aboutItsData("Can't handle RDB format version 99")).isTrue();
    }

    @Test
    void redisAdviceToItsOwnUsersIsLeftOut() {
        RedisLog log = new RedisLog();
        log.add("23382:C 02 Dec 2026 02:20:36.933 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
        log.add("23382:M 02 Dec 2026 02:20:36.935 # Server initialized");
        log.add("23382:M 02 Dec 2026 02:20:36.937 # Bad file format reading the append only file: make a backup of your AOF file, "
                + "then use ./redis-check-aof --fix <filename>");

        assertThat(log.reasonToStop()).hasValue("Bad file format reading the append only file");
    }

    @Test
    void aFailureThatIsNotAboutItsDataIsNotSaidToBe() {
        RedisLog log = new RedisLog();
        log.add("1:C 02 Dec 2026 02:20:36.933 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
        log.add("1:M 02 Dec 2026 02:20:36.937 # Could not create server TCP listening socket 127.0.0.1:16379: bind: Address already in use");

        assertThat(log.reasonToStop()).hasValueSatisfying(reason -> assertThat(reason).startsWith("Could not create server TCP")
                .satisfies(notAboutData -> assertThat(RedisLog.aboutItsData(notAboutData)).isFalse()));
        assertThat(new RedisLog().reasonToStop()).isEmpty();
    }
}
