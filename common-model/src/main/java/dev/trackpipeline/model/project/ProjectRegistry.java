package dev.trackpipeline.model.project;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The projects this installation serves, by apikey. Events for other apikeys are refused. */
public final class ProjectRegistry {

    private final Map<String, Project> byApikey = new LinkedHashMap<>();

    public ProjectRegistry(Collection<Project> projects) {
        int index = 0;
        for (Project project : projects) {
            if (byApikey.put(project.apikey(), project) != null) {
                throw new RuleBroken(index, "apikey", "apikey " + project.apikey() + ": listed twice");
            }
            index++;
        }
        Map<String, String> byToken = new HashMap<>();
        index = 0;
        for (Project project : projects) {
            String other = byToken.put(project.readToken(), project.apikey());
            if (other != null) {
                // a token reads one project: shared, it would read whichever is asked for
                throw new RuleBroken(index, "readToken", "readToken: projects " + other + " and " + project.apikey()
                        + " share a read token; give each its own");
            }
            index++;
        }
    }

    /** A rule between projects broken, by the project at {@code index} (in the order given) in its {@code field}. */
    public static final class RuleBroken extends IllegalArgumentException {

        private final int index;
        private final String field;

        RuleBroken(int index, String field, String message) {
            super(message);
            this.index = index;
            this.field = field;
        }

        /** Where in a projects file: {@code projects[1].readToken}. */
        public String path() {
            return "projects[" + index + "]." + field;
        }
    }

    public Optional<Project> find(String apikey) {
        return Optional.ofNullable(byApikey.get(apikey));
    }

    public List<Project> all() {
        return List.copyOf(byApikey.values());
    }

    public ReadAccess readAccess(String apikey, Optional<String> bearerToken) {
        if (bearerToken.isEmpty()) {
            return ReadAccess.UNAUTHENTICATED;
        }
        Optional<Project> owner = byApikey.values().stream()
                .filter(project -> constantTimeEquals(project.readToken(), bearerToken.get()))
                .findFirst();
        if (owner.isEmpty()) {
            return ReadAccess.UNAUTHENTICATED;
        }
        return owner.get().apikey().equals(apikey) ? ReadAccess.GRANTED : ReadAccess.FORBIDDEN;
    }

    // Token comparison must not leak through timing how many leading characters matched.
    private static boolean constantTimeEquals(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
