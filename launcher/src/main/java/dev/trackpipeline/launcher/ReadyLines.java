package dev.trackpipeline.launcher;

/** One aligned line per component, so a user sees at a glance what runs where. */
final class ReadyLines {

    private ReadyLines() {
    }

    static void print(String component, String address, String note) {
        System.out.printf("%-20s ready  %-45s %s%n", component, address, note);
    }
}
