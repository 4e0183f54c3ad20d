package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trackpipeline.infra.InfrastructureSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TrackCommandTest {

    @Test
    void embeddedServersUseTheirOwnPortsUnlessTold() {
        InfraOptions defaults = parse();
        InfraOptions moved = parse("--data-dir", "/srv/track", "--kafka-port", "29092", "--kafka-controller-port", "29093",
                "--mongo-port", "37017", "--redis-port", "26379");

        InfrastructureSettings standard = defaults.settings();
        InfrastructureSettings custom = moved.settings();

        assertThat(standard.dataDir()).isEqualTo(Path.of("data"));
        assertThat(new int[] {standard.kafkaPort(), standard.kafkaControllerPort(), standard.mongoPort(), standard.redisPort()})
                .containsExactly(19092, 19093, 27117, 16379);
        assertThat(custom.dataDir()).isEqualTo(Path.of("/srv/track"));
        assertThat(new int[] {custom.kafkaPort(), custom.kafkaControllerPort(), custom.mongoPort(), custom.redisPort()})
                .containsExactly(29092, 29093, 37017, 26379);
        assertThat(custom.persistent()).isTrue();
    }

    @Test
    void refusesAPortThatIsNotANumberNamingTheOption() {
        StringWriter errors = new StringWriter();
        CommandLine command = new CommandLine(new TrackCommand()).setErr(new PrintWriter(errors));

        int exit = command.execute("infra", "--redis-port", "six");

        assertThat(exit).isEqualTo(2);
        assertThat(errors.toString()).contains("Invalid value for option '--redis-port': 'six' is not an int");
    }

    @Test
    void helpListsEveryCommand() {
        StringWriter out = new StringWriter();
        new CommandLine(new TrackCommand()).setOut(new PrintWriter(out)).execute("--help");

        assertThat(out.toString()).contains("local", "infra");
    }

    private static InfraOptions parse(String... args) {
        InfraCommand command = new InfraCommand();
        new CommandLine(command).parseArgs(args);
        return command.options;
    }
}
