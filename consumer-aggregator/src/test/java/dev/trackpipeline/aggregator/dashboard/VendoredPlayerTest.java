package dev.trackpipeline.aggregator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The session player the dashboard ships is rrweb 1.1.3's, byte for byte as npm publishes it (VENDORED.md). */
class VendoredPlayerTest {

    static final String DIRECTORY = "/static/vendor/rrweb-1.1.3/";

    @Test
    void everyVendoredFileIsThePublishedOne() throws Exception {
        String vendored = new String(read("VENDORED.md"), StandardCharsets.UTF_8);
        Matcher rows = Pattern.compile("\\| (\\S+) \\| ([0-9a-f]{64}) \\|").matcher(vendored);
        int files = 0;
        while (rows.find()) {
            String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(read(rows.group(1))));
            assertThat(sha256).as(rows.group(1)).isEqualTo(rows.group(2));
            files++;
        }
        assertThat(files).isEqualTo(3);
    }

    private static byte[] read(String file) throws IOException {
        try (InputStream in = VendoredPlayerTest.class.getResourceAsStream(DIRECTORY + file)) {
            assertThat(in).as(file).isNotNull();
            return in.readAllBytes();
        }
    }
}
