package dev.trackpipeline.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ports handed out to servers not started yet stay theirs: not handed out again here, not handed
 * out by another JVM claiming in the same directory, never one something already listens on, and
 * all of them below the kernel's range for outgoing connections.
 */
class PortClaimsTest {

    @TempDir
    Path claimsDir;

    final List<PortClaims> opened = new ArrayList<>();

    @AfterEach
    void endClaims() {
        opened.forEach(PortClaims::close);
    }

    @Test
    void aPortIsHandedOutOnceInAJvm() {
        PortClaims claims = claims(20_000, 20_010, 20_000);
        Set<Integer> ports = new HashSet<>();
        for (int index = 0; index < 5; index++) {
            ports.add(claims.claim(1, 0));
        }
        assertThat(ports).hasSize(5).allSatisfy(port -> assertThat(port).isBetween(20_000, 20_009));
    }

    @Test
    void portsAnotherJvmClaimedArePassedOverUntilItExits() throws Exception {
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PortClaimsHolder.class.getName(), claimsDir.toString(), "21000", "21100", "3")
                .redirectErrorStream(true).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            int theirs = Integer.parseInt(said.readLine().trim());
            assertThat(theirs).as("the other JVM's first port, where this one starts too").isEqualTo(21_000);

            PortClaims mine = claims(21_000, 21_100, 21_000);
            assertThat(mine.claim(1, 0)).as("past the other JVM's three").isEqualTo(21_003);
        } finally {
            other.getOutputStream().close();
            assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        PortClaims afterItExited = claims(21_000, 21_100, 21_000);
        assertThat(afterItExited.claim(1, 0)).as("free again once the other JVM is gone").isEqualTo(21_000);
    }

    @Test
    void aPortSomethingListensOnIsPassedOver() throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int busy = listening.getLocalPort();
            PortClaims claims = claims(busy, busy + 3, busy);
            assertThat(claims.claim(1, 0)).isNotEqualTo(busy);
        }
    }

    @Test
    void aRunIsClaimedWholeOrNotAtAll() {
        assertThat(claims(20_500, 20_600, 20_501).claim(1, 0)).isEqualTo(20_501);

        assertThat(claims(20_500, 20_600, 20_500).claim(3, 0)).as("20,500-20,502 holds 20,501, claimed before").isEqualTo(20_503);
    }

    @Test
    void aClusterClaimsThePortsItsNodesAlsoListenOn() {
        assertThat(claims(20_600, 20_700, 20_610).claim(1, 0)).isEqualTo(20_610);

        assertThat(claims(20_000, 20_100, 20_000).claim(2, 610)).as("20,000's bus port would be 20,610, claimed before")
                .isEqualTo(20_002);
    }

    @Test
    void theRangeWrapsRoundAndSaysWhenItIsFull() {
        PortClaims claims = claims(20_700, 20_703, 20_702);
        assertThat(List.of(claims.claim(1, 0), claims.claim(1, 0), claims.claim(1, 0))).containsExactly(20_702, 20_700, 20_701);
        assertThatThrownBy(() -> claims.claim(1, 0)).hasMessage("no 1 free ports in a row between 20700 and 20703");
    }

    @Test
    void everyPortFreePortsHandsOutIsBelowTheKernelsRangeForOutgoingConnections() {
        int linuxEphemeralStart = 32_768;
        assertThat(FreePorts.END - 1 + InfrastructureSettings.REDIS_CLUSTER_NODES + EmbeddedRedisCluster.BUS_PORT_OFFSET)
                .isLessThan(linuxEphemeralStart);
        int redis = FreePorts.forRedisCluster();
        assertThat(List.of(FreePorts.one(), FreePorts.inARow(6), redis, redis + EmbeddedRedisCluster.BUS_PORT_OFFSET))
                .allSatisfy(port -> assertThat(port).isBetween(FreePorts.FIRST, linuxEphemeralStart - 1));
    }

    private PortClaims claims(int first, int end, int startAt) {
        PortClaims claims = new PortClaims(claimsDir, first, end, startAt);
        opened.add(claims);
        return claims;
    }
}
