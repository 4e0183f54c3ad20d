package dev.trackpipeline.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    /**
     * A block of ports of this test's own: the scenarios below count on exact ports being free, which
     * inside FreePorts' range only its claim makes sure of while another test JVM runs beside.
     */
    static final int BASE = FreePorts.inARow(1_200);

    @TempDir
    Path claimsDir;

    final List<PortClaims> opened = new ArrayList<>();

    @AfterEach
    void endClaims() {
        opened.forEach(PortClaims::close);
    }

    @Test
    void aPortIsHandedOutOnceInAJvm() {
        PortClaims claims = claims(BASE, BASE + 10, BASE);
        Set<Integer> ports = new HashSet<>();
        for (int index = 0; index < 5; index++) {
            ports.add(claims.claim(1, 0));
        }
        assertThat(ports).hasSize(5).allSatisfy(port -> assertThat(port).isBetween(BASE, BASE + 9));
    }

    @Test
    void portsAnotherJvmClaimedArePassedOverUntilItExits() throws Exception {
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PortClaimsHolder.class.getName(), claimsDir.toString(), String.valueOf(BASE + 1000), String.valueOf(BASE + 1100), "3")
                .redirectErrorStream(true).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            int theirs = Integer.parseInt(said.readLine().trim());
            assertThat(theirs).as("the other JVM's first port, where this one starts too").isEqualTo(BASE + 1000);

            PortClaims mine = claims(BASE + 1000, BASE + 1100, BASE + 1000);
            assertThat(mine.claim(1, 0)).as("past the other JVM's three").isEqualTo(BASE + 1003);
        } finally {
            other.getOutputStream().close();
            assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        PortClaims afterItExited = claims(BASE + 1000, BASE + 1100, BASE + 1000);
        assertThat(afterItExited.claim(1, 0)).as("free again once the other JVM is gone").isEqualTo(BASE + 1000);
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
        assertThat(claims(BASE + 500, BASE + 600, BASE + 501).claim(1, 0)).isEqualTo(BASE + 501);

        assertThat(claims(BASE + 500, BASE + 600, BASE + 500).claim(3, 0)).as("the first three hold one claimed before")
                .isEqualTo(BASE + 503);
    }

    @Test
    void aClusterClaimsThePortsItsNodesAlsoListenOn() {
        assertThat(claims(BASE + 600, BASE + 700, BASE + 610).claim(1, 0)).isEqualTo(BASE + 610);

        assertThat(claims(BASE, BASE + 100, BASE).claim(2, 610)).as("the first node's bus port is claimed already")
                .isEqualTo(BASE + 2);
    }

    @Test
    void theRangeWrapsRoundAndSaysWhenItIsFull() {
        PortClaims claims = claims(BASE + 700, BASE + 703, BASE + 702);
        assertThat(List.of(claims.claim(1, 0), claims.claim(1, 0), claims.claim(1, 0)))
                .containsExactly(BASE + 702, BASE + 700, BASE + 701);
        assertThatThrownBy(() -> claims.claim(1, 0)).hasMessage("no 1 free ports in a row between " + (BASE + 700) + " and " + (BASE + 703));
    }

    @Test
    void aClaimsDirectoryThatIsALinkIsNotWrittenThrough() throws Exception {
        Path elsewhere = Files.createDirectory(claimsDir.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(claimsDir.resolve("link"), elsewhere);
        PortClaims claims = new PortClaims(link, BASE + 800, BASE + 900, BASE + 800);
        opened.add(claims);

        assertThat(claims.claim(1, 0)).as("handed out, held apart within this JVM only").isEqualTo(BASE + 800);
        assertThat(elsewhere).isEmptyDirectory();
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
