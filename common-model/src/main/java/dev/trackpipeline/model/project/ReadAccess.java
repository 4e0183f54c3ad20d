package dev.trackpipeline.model.project;

/** The answer to "may this bearer token read this project's data?". */
public enum ReadAccess {
    /** The token belongs to the project asked for. */
    GRANTED,
    /** No token, or a token no project owns: HTTP 401. */
    UNAUTHENTICATED,
    /** A valid token of another project: HTTP 403. */
    FORBIDDEN
}
