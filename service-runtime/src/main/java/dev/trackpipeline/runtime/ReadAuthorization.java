package dev.trackpipeline.runtime;

import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/** Guards the read APIs: {@code Authorization: Bearer <readToken>} of the project asked for. */
@Component
public class ReadAuthorization {

    private static final String BEARER = "Bearer ";

    private final ProjectCatalog projects;

    public ReadAuthorization(ProjectCatalog projects) {
        this.projects = projects;
    }

    /** @throws ApiException 401 without a valid token, 403 with another project's token */
    public void requireRead(String apikey, String authorizationHeader) {
        Optional<String> token = Optional.ofNullable(authorizationHeader)
                .filter(header -> header.regionMatches(true, 0, BEARER, 0, BEARER.length()))
                .map(header -> header.substring(BEARER.length()).trim())
                .filter(value -> !value.isEmpty());
        switch (projects.current().readAccess(apikey, token)) {
            case GRANTED -> { }
            case UNAUTHENTICATED -> throw new ApiException(HttpStatus.UNAUTHORIZED,
                    "Authorization: a Bearer read token of the project is required");
            case FORBIDDEN -> throw new ApiException(HttpStatus.FORBIDDEN,
                    "apikey: the read token does not belong to project \"" + apikey + "\"");
        }
    }
}
