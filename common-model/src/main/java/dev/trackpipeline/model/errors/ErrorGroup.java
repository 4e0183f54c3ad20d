package dev.trackpipeline.model.errors;

/**
 * The group an error event belongs to.
 *
 * @param fingerprint 32 hex digits; equal for occurrences of the same problem
 * @param title       a short readable label of the group, e.g. {@code GET /api/orders/:id → 404}
 */
public record ErrorGroup(String fingerprint, String title) {
}
