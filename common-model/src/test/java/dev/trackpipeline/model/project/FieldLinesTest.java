package dev.trackpipeline.model.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Each field of a projects file is found on the line its value starts on, in YAML's block and flow styles and in JSON. */
class FieldLinesTest {

    @Test
    void findsEachFieldOfABlockStyleFileOnItsLine() {
        FieldLines lines = FieldLines.of(YAMLMapper.builder().build(), """
                projects:
                  - apikey: shop
                    readToken: shop-token
                    rateLimit:
                      eventsPerSecond: -5
                      burst: 10
                  - apikey: blog
                    readToken: blog-token
                """.getBytes(StandardCharsets.UTF_8));

        assertThat(lines.line("projects[0].apikey")).hasValue(2);
        assertThat(lines.line("projects[0].rateLimit")).hasValue(5);
        assertThat(lines.line("projects[0].rateLimit.eventsPerSecond")).hasValue(5);
        assertThat(lines.line("projects[1]")).hasValue(7);
        assertThat(lines.line("projects[1].readToken")).hasValue(8);
        assertThat(lines.line("projects[2]")).isEmpty();
    }

    @Test
    void findsThemInFlowStyleAndJsonToo() {
        FieldLines flow = FieldLines.of(YAMLMapper.builder().build(), """
                projects:
                  - {apikey: shop, readToken: same}
                  - {apikey: blog, readToken: same}
                """.getBytes(StandardCharsets.UTF_8));
        FieldLines json = FieldLines.of(JsonMapper.builder().build(), """
                {"projects": [
                  {"apikey": "shop", "readToken": "same"},
                  {"apikey": "blog",
                   "readToken": "same"}]}
                """.getBytes(StandardCharsets.UTF_8));

        assertThat(flow.line("projects[1].readToken")).hasValue(3);
        assertThat(json.line("projects[1].readToken")).hasValue(4);
    }

    @Test
    void aFileThatDoesNotParseHasTheFieldsBeforeWhereItBreaks() {
        FieldLines lines = FieldLines.of(YAMLMapper.builder().build(), "projects:\n  - apikey: shop\n   readToken: t\n"
                .getBytes(StandardCharsets.UTF_8));

        assertThat(lines.line("projects[0].apikey")).hasValue(2);
    }
}
