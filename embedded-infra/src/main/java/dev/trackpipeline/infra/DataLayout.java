package dev.trackpipeline.infra;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Which layout a data directory is in: its subdirectories and what each store keeps there. A
 * directory records the layout it was written in ({@value #FILE}), so that a release that lays
 * its data out otherwise refuses it with a clear line instead of failing somewhere in Kafka, the
 * MongoDB-wire store or Redis. A directory without the file is of the releases before it, which
 * wrote this layout: it is claimed as such.
 */
public final class DataLayout {

    public static final String FILE = "track-data.properties";
    /** Kafka in kafka/ (kafka-N-brokers/ for N brokers), the MongoDB-wire store in mongo/track.mv, Redis's append-only file in redis/. */
    public static final int CURRENT = 1;
    private static final String KEY = "layout";

    private DataLayout() {
    }

    /** Records this layout in a directory that has none, or refuses a directory of another. */
    static void claim(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dataDir);
                write(file, CURRENT);
                return;
            }
            int layout = read(file);
            if (layout != CURRENT) {
                throw new DataDirectoryException("data directory " + dataDir + " is in data layout " + layout
                        + ", which this track-pipeline does not read (it reads layout " + CURRENT + ")",
                        "start the track-pipeline that wrote it", null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    static void write(Path file, int layout) throws IOException {
        Properties properties = new Properties();
        properties.setProperty(KEY, String.valueOf(layout));
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, "Written by track-pipeline: the layout of this data directory; do not edit");
        }
    }

    private static int read(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        String layout = properties.getProperty(KEY, "").strip();
        try {
            return Integer.parseInt(layout);
        } catch (NumberFormatException e) {
            throw new DataDirectoryException(file + " does not say which data layout its directory is in (layout=" + layout + ")",
                    "restore the file, or move the directory aside", e);
        }
    }
}
