package dev.trackpipeline.model.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectsFileTest {

    @TempDir
    Path dir;

    @Test
    void readsTheSampleShippedWithTheLauncher() {
        Path sample = Path.of("..", "config", "projects.yml");

        ProjectRegistry registry = ProjectsFile.load(sample);

        Project demo = registry.find("demo-project").orElseThrow();
        assertThat(demo.readToken()).isEqualTo("demo-read-token");
        assertThat(demo.allowsOrigin("http://127.0.0.1:8080")).isTrue();
        assertThat(demo.rateLimit()).isEqualTo(new Project.RateLimit(1000, 2000));
    }

    @Test
    void readsJsonAndFillsDefaults() throws IOException {
        Path file = write("projects.json", """
                {"projects":[{"apikey":"shop","readToken":"t1","allowedOrigins":["https://shop.example"]}]}""");

        Project shop = ProjectsFile.load(file).find("shop").orElseThrow();

        assertThat(shop.name()).isEqualTo("shop");
        assertThat(shop.rateLimit()).isEqualTo(Project.RateLimit.DEFAULT);
        assertThat(shop.allowsOrigin("https://shop.example")).isTrue();
        assertThat(shop.allowsOrigin("https://evil.example")).isFalse();
    }

    @Test
    void namesTheFileAndTheProblemWhenTheRegistryIsWrong() throws IOException {
        Path duplicate = write("dup.yml", """
                projects:
                  - {apikey: a, readToken: t1}
                  - {apikey: a, readToken: t2}
                """);
        Path noToken = write("notoken.yml", "projects:\n  - {apikey: a}\n");
        Path unknownField = write("typo.yml", "projects:\n  - {apikey: a, readToken: t, redToken: x}\n");

        assertThatThrownBy(() -> ProjectsFile.load(duplicate)).hasMessageContaining("dup.yml").hasMessageContaining("apikey a: listed twice");
        assertThatThrownBy(() -> ProjectsFile.load(noToken)).hasMessageContaining("readToken: is required");
        assertThatThrownBy(() -> ProjectsFile.load(unknownField)).hasMessageContaining("redToken");
        Path trailingSlash = write("slash.yml", "projects:\n  - {apikey: a, readToken: t, allowedOrigins: ['https://shop.example/']}\n");
        assertThatThrownBy(() -> ProjectsFile.load(trailingSlash)).hasMessageContaining("slash.yml")
                .hasMessageContaining("allowedOrigins: \"https://shop.example/\" is not an origin");
        assertThatThrownBy(() -> ProjectsFile.load(dir.resolve("missing.yml"))).hasMessageEndingWith("missing.yml does not exist");
    }

    @Test
    void saysInOneLineTheFileTheLineTheFieldAndTheRuleBroken() throws IOException {
        Path negative = write("negative.yml", """
                projects:
                  - apikey: shop
                    readToken: shop-token
                    rateLimit:
                      eventsPerSecond: -5
                      burst: 10
                """);
        Path emptyToken = write("empty.yml", """
                projects:
                  - apikey: shop
                    readToken: ""
                """);
        Path shared = write("shared.yml", """
                projects:
                  - {apikey: shop, readToken: same}
                  - {apikey: blog, readToken: same}
                """);
        Path notAnOrigin = write("origin.yml", """
                projects:
                  - apikey: shop
                    readToken: t
                    allowedOrigins: ["shop.example"]
                """);
        Path broken = write("broken.yml", "projects:\n  - apikey: shop\n   readToken: t\n");

        assertThat(failureOf(negative)).isEqualTo("projects file " + negative + ", line 5 (projects[0].rateLimit): "
                + "rateLimit: eventsPerSecond and burst must be positive, got -5 and 10");
        assertThat(failureOf(emptyToken)).isEqualTo("projects file " + emptyToken + ", line 3 (projects[0].readToken): readToken: "
                + "is required");
        assertThat(failureOf(shared)).isEqualTo("projects file " + shared + ", line 3 (projects[1].readToken): readToken: projects shop "
                + "and blog share a read token; give each its own");
        assertThat(failureOf(notAnOrigin)).startsWith("projects file " + notAnOrigin + ", line 4 (projects[0].allowedOrigins): "
                + "allowedOrigins: \"shop.example\" is not an origin: expected scheme://host[:port]");
        // mis-indented, readToken is read as the end of apikey's value: the project then has none
        assertThat(failureOf(broken)).isEqualTo("projects file " + broken + ", line 2 (projects[0]): readToken: is required");
        Path unparseable = write("unparseable.yml", "projects:\n  - apikey: \"shop\n");
        assertThat(failureOf(unparseable)).startsWith("projects file " + unparseable + ", near line ").doesNotContain("\n");
        Path aList = write("list.yml", "projects:\n  - apikey: shop\n    readToken: [t]\n");
        assertThat(failureOf(aList)).isEqualTo("projects file " + aList + ", line 3 (projects[0].readToken): expected text, got a list");
        Path emptyEntry = write("empty-entry.yml", "projects:\n  - {apikey: shop, readToken: t}\n  -\n");
        assertThat(failureOf(emptyEntry)).isEqualTo("projects file " + emptyEntry + ", line 3 (projects[1]): an empty entry; give it an "
                + "apikey and a readToken");
        Path empty = write("empty-file.yml", "");
        assertThat(failureOf(empty)).isEqualTo("projects file " + empty + ": the file is empty");
    }

    private static String failureOf(Path file) {
        IllegalArgumentException failure = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> ProjectsFile.load(file), IllegalArgumentException.class);
        assertThat(failure).as(file.toString()).isNotNull();
        return failure.getMessage();
    }

    @Test
    void refusesAnApikeyNoEventCouldCarryOrThatWouldBreakTheAggregatorsHashTag() throws IOException {
        Path tooLong = write("long.yml", "projects:\n  - {apikey: " + "k".repeat(129) + ", readToken: t}\n");
        Path brace = write("brace.yml", "projects:\n  - {apikey: 'shop}x', readToken: t}\n");

        assertThatThrownBy(() -> ProjectsFile.load(tooLong)).hasMessageContaining("long.yml")
                .hasMessageContaining("apikey: longer than 128 characters, which no event may carry");
        assertThatThrownBy(() -> ProjectsFile.load(brace)).hasMessageContaining("brace.yml")
                .hasMessageContaining("apikey: may not contain '{' or '}'");
    }

    @Test
    void grantsReadsOnlyToTheProjectsOwnToken() throws IOException {
        ProjectRegistry registry = ProjectsFile.load(write("two.yml", """
                projects:
                  - {apikey: a, readToken: token-a}
                  - {apikey: b, readToken: token-b}
                """));

        assertThat(registry.readAccess("a", Optional.of("token-a"))).isEqualTo(ReadAccess.GRANTED);
        assertThat(registry.readAccess("a", Optional.of("token-b"))).isEqualTo(ReadAccess.FORBIDDEN);
        assertThat(registry.readAccess("a", Optional.of("guess"))).isEqualTo(ReadAccess.UNAUTHENTICATED);
        assertThat(registry.readAccess("a", Optional.empty())).isEqualTo(ReadAccess.UNAUTHENTICATED);
        assertThat(registry.readAccess("unknown", Optional.of("token-a"))).isEqualTo(ReadAccess.FORBIDDEN);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
