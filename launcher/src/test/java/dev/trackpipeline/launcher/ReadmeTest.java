package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The front door stays true: every command the README and the docs show exists, every link in them leads somewhere. */
class ReadmeTest {

    static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    static final Pattern COMMAND = Pattern.compile("bin/track ([a-z][a-z-]*)");
    static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    static final Pattern CASE_LABEL = Pattern.compile("^  ([a-z|-]+)\\)", Pattern.MULTILINE);
    static final Pattern HEADING = Pattern.compile("^#+ (.+)$", Pattern.MULTILINE);

    @Test
    void everyCommandShownIsOneBinTrackRuns() throws IOException {
        Set<String> commands = new TreeSet<>();
        Matcher labels = CASE_LABEL.matcher(Files.readString(HOME.resolve("bin/track")));
        while (labels.find()) {
            commands.addAll(List.of(labels.group(1).split("\\|")));
        }
        assertThat(commands).contains("local", "infra", "gateway", "writer", "aggregator", "replay", "bench");

        for (Path document : documents()) {
            Matcher shown = COMMAND.matcher(Files.readString(document));
            while (shown.find()) {
                assertThat(commands).as(HOME.relativize(document) + ": bin/track " + shown.group(1)).contains(shown.group(1));
            }
        }
    }

    @Test
    void everyRelativeLinkLeadsToAFileAndItsHeading() throws IOException {
        int links = 0;
        for (Path document : documents()) {
            Matcher link = LINK.matcher(Files.readString(document));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-z]+:.*") || target.startsWith("#")) {
                    continue;
                }
                String[] parts = target.split("#", 2);
                Path file = document.getParent().resolve(parts[0]).normalize();
                assertThat(file).as(HOME.relativize(document) + " links " + target).exists();
                if (parts.length == 2) {
                    assertThat(anchors(file)).as(HOME.relativize(document) + " links " + target).contains(parts[1]);
                }
                links++;
            }
        }
        assertThat(links).isGreaterThan(20);
    }

    private static List<Path> documents() throws IOException {
        try (Stream<Path> docs = Files.list(HOME.resolve("docs"))) {
            return Stream.concat(Stream.of(HOME.resolve("README.md")), docs.filter(path -> path.toString().endsWith(".md")).sorted()).toList();
        }
    }

    /** The anchors GitHub makes of a Markdown file's headings: lower case, punctuation dropped, spaces as hyphens. */
    private static Set<String> anchors(Path file) throws IOException {
        Matcher heading = HEADING.matcher(Files.readString(file));
        return heading.results().map(match -> match.group(1).trim().toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-')).collect(Collectors.toSet());
    }
}
