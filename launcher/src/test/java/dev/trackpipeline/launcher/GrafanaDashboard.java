package dev.trackpipeline.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The provisioned Grafana dashboard, read as Grafana reads it: panels, their data sources and PromQL queries. */
record GrafanaDashboard(JsonNode json) {

    static final Path FILE = Path.of("..").toAbsolutePath().normalize().resolve("deploy/grafana/dashboards/track-pipeline.json");
    /** A metric name is what stands before a label selector; every query of the dashboard selects labels. */
    private static final Pattern SELECTED_METRIC = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");

    static GrafanaDashboard load() throws IOException {
        return new GrafanaDashboard(JsonMapper.builder().build().readTree(Files.readString(FILE)));
    }

    List<JsonNode> graphPanels() {
        List<JsonNode> panels = new ArrayList<>();
        json.get("panels").forEach(panel -> {
            if (!panel.get("type").stringValue().equals("row")) {
                panels.add(panel);
            }
        });
        return panels;
    }

    List<String> queries() {
        List<String> queries = new ArrayList<>();
        graphPanels().forEach(panel -> panel.get("targets").forEach(target -> queries.add(target.get("expr").stringValue())));
        return queries;
    }

    static Set<String> metricsOf(String query) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = SELECTED_METRIC.matcher(query);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    Set<String> metrics() {
        Set<String> names = new TreeSet<>();
        queries().forEach(query -> names.addAll(metricsOf(query)));
        return names;
    }
}
