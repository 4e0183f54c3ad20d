package dev.trackpipeline.aggregator.query;

/**
 * One page's value of one web vital over a window.
 *
 * @param page    the page as the SDK's URLs are reduced to ({@code /shop/}, {@code /admin/#/settings}),
 *                or {@code (other)} for the pages beyond the project's page cap
 * @param p75     within 11.1 % of the exact value: a page's histograms are coarser than the project's
 * @param rating  the web-vitals rating of p75 (good, needs-improvement, poor)
 */
public record PageVital(String page, long samples, double p75, String rating) {
}
