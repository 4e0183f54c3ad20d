package dev.trackpipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class MachineCpuTest {

    @Test
    void countsIdleAndIoWaitAsNotBusyAndLeavesGuestTimeInsideUserTime() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        MachineCpu cpu = MachineCpu.parse("cpu  100 10 40 800 20 5 15 10 30 0");

        assertThat(cpu.totalTicks()).isEqualTo(1_000);
        assertThat(cpu.busyTicks()).isEqualTo(180);
    }

    @Test
    void theBusyShareIsOfEveryCoresTimeBetweenTwoReadings() {
        MachineCpu before = MachineCpu.parse("cpu 100 0 100 800 0 0 0 0 0 0");
        MachineCpu after = MachineCpu.parse("cpu 250 0 200 950 0 0 0 0 0 0");

        assertThat(after.busyShareSince(before)).isCloseTo(250.0 / 400, offset(1e-9));
        assertThat(after.busyShareSince(after)).isNaN();
    }

    @Test
    void refusesALineThatIsNotTheMachines() {
        assertThatThrownBy(() -> MachineCpu.parse("cpu0 1 2 3 4 5 6 7 8 0 0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpu0");
    }

    /** This thread's own spinning is the machine's busy time too (Linux: the benchmark's machines). */
    @Test
    void readsThisMachinesBusyTimeGrowingWhileAThreadSpins() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/stat")), "Linux only");
        MachineCpu before = MachineCpu.now();
        long spinUntil = System.nanoTime() + 100_000_000;
        while (System.nanoTime() < spinUntil) {
            Thread.onSpinWait();
        }
        MachineCpu after = MachineCpu.now();

        assertThat(after.busyTicks()).isGreaterThan(before.busyTicks());
        assertThat(after.busyShareSince(before)).isBetween(0.0, 1.0);
    }
}
