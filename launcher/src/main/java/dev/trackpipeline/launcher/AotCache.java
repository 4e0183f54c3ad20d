package dev.trackpipeline.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Starts a service from an ahead-of-time cache when the JVM can use one (Java 25 and newer: JEP 483,
 * 514 and 515). On two cores the four JVMs of {@code bin/track local} spent their first minute
 * loading classes and compiling, below a third of their warm rate; the cache holds the classes
 * a service loaded and linked in an earlier run and the method profiles it gathered, so the
 * next start skips the loading and its compilers start from those profiles.
 *
 * <p>A service's first run of a jar records the cache, written when it exits gracefully (SIGTERM);
 * every later start of that same jar uses it. The cache belongs to one build of the jar: its
 * directory is named by the jar's size and time, so a rebuilt jar records a new one and an old
 * cache is never offered to new classes; the cache's name carries the JVM's version, since a JVM
 * refuses another version's. The {@code java} given runs the services, and must be this JVM's own
 * version (it is its {@code java.home} outside tests). Recording goes to a file of its own and becomes the cache
 * only after a graceful exit, so a killed run, or two recording at once, never leave half a cache.
 * The JVM needs the jar's classes on a plain class path, not nested in the Spring Boot jar: the
 * jar is extracted beside it first (Spring Boot's {@code -Djarmode=tools extract}).
 *
 * <p>{@code TRACK_AOT_CACHE=off} starts every service from its jar as built, which older JVMs
 * always do.
 */
public final class AotCache {

    /** How a JVM ends after a fatal error (SIGSEGV in its own code, among them): its handler calls abort(). */
    static final int JVM_FATAL_ERROR_EXIT = 134;

    /** The first Java release with the one-step recording and method profiles (JEP 514, 515). */
    public static final int FIRST_JAVA_RELEASE = 25;

    /**
     * How long a recording that no JVM can run on yet is left alone: as it exits, the recording
     * JVM has a child JVM assemble the cache (seconds, for 80 MB), and a start beside it, of
     * another {@code bin/track infra}, must not remove the file being written. Older than this,
     * it is a killed run's leftover.
     */
    private static final Duration STILL_BEING_WRITTEN = Duration.ofMinutes(5);

    private final Path java;
    private final boolean enabled;

    AotCache(Path java, boolean enabled) {
        this.java = java;
        this.enabled = enabled;
    }

    /** For services run by this JVM's java: on when it is Java 25 or newer, unless TRACK_AOT_CACHE=off. */
    public static AotCache forThisJvm() {
        boolean off = "off".equalsIgnoreCase(System.getenv().getOrDefault("TRACK_AOT_CACHE", "on"));
        return new AotCache(Path.of(System.getProperty("java.home"), "bin", "java"),
                !off && Runtime.version().feature() >= FIRST_JAVA_RELEASE);
    }

    public boolean enabled() {
        return enabled;
    }

    /** The java that runs the services (and extracts their jars). */
    public Path java() {
        return java;
    }

    /**
     * How one service starts from {@code execJar}: the JVM's arguments after its options, a
     * recording to keep, and the check a recording passes before it becomes the cache.
     */
    public record Launch(List<String> arguments, Optional<Path> recording, Path cache, RecordingCheck check) {

        /**
         * After a graceful exit: the recording, if the JVM wrote one and a JVM with the service's
         * options runs on it, becomes the cache of this jar. A graceful exit does not vouch for the
         * file: a recording cut short (its assembling JVM killed or out of memory) made every later
         * start of the service crash in the JVM's class loading (SIGSEGV, exit 134) for as long as
         * it stood there; one that fails the check is dropped and the next run records again.
         */
        public void keepRecording() {
            recording.filter(Files::isRegularFile).ifPresent(recorded -> {
                try {
                    if (!check.runsOn(recorded)) {
                        discardRecording();
                        return;
                    }
                    Files.move(recorded, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    discardRecording();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    discardRecording();
                }
            });
        }

        /**
         * After the service ended before it was healthy: if it ran on the cache and the JVM died of
         * a fatal error (its handler aborts: exit 134), the cache is removed, so the next start
         * runs without it and records a new one, instead of crashing at every start. Answers the
         * removed cache.
         */
        public Optional<Path> crashedOnCache(int exitCode) {
            boolean ranOnIt = arguments.contains("-XX:AOTCache=" + cache);
            if (!ranOnIt || exitCode != JVM_FATAL_ERROR_EXIT) {
                return Optional.empty();
            }
            try {
                return Files.deleteIfExists(cache) ? Optional.of(cache) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        /** After a kill: whatever the JVM had begun to write is dropped. */
        public void discardRecording() {
            recording.ifPresent(AotCache::deleteRecording);
        }
    }

    /** Whether a JVM starts on a recording; see {@link #runsOn}. */
    @FunctionalInterface
    public interface RecordingCheck {
        boolean runsOn(Path recording) throws IOException, InterruptedException;
    }

    /** As {@link #launch(Path, String, List, Consumer)} for a JVM without options of its own, its notes dropped. */
    public Launch launch(Path execJar, String module) throws IOException, InterruptedException {
        return launch(execJar, module, List.of(), note -> { });
    }

    /**
     * The arguments that start {@code execJar} (a Spring Boot executable jar of {@code module})
     * in a JVM with {@code jvmOptions}; why a recording was not kept goes to {@code notes}.
     */
    public Launch launch(Path execJar, String module, List<String> jvmOptions, Consumer<String> notes)
            throws IOException, InterruptedException {
        if (!enabled) {
            return new Launch(List.of("-jar", execJar.toString()), Optional.empty(), execJar, recording -> false);
        }
        Path extracted = extracted(execJar, module);
        Path cache = cacheIn(extracted, module);
        List<String> arguments = new ArrayList<>();
        // The cache's notes (classes it could not keep, a rebuilt jar) are not the service's log.
        arguments.add("-Xlog:aot*=error,cds*=error");
        Optional<Path> recording = Optional.empty();
        if (Files.isRegularFile(cache)) {
            arguments.add("-XX:AOTCache=" + cache);
        } else {
            recording = Optional.of(extracted.resolve(module + ".aot." + UUID.randomUUID() + ".recording"));
            arguments.add("-XX:AOTCacheOutput=" + recording.get());
        }
        Path jar = extracted.resolve(execJar.getFileName());
        arguments.addAll(List.of("-jar", jar.toString()));
        return new Launch(List.copyOf(arguments), recording, cache, recorded -> runsOn(recorded, jar, jvmOptions, notes));
    }

    /**
     * How a JVM that nobody waits on starts from {@code execJar}: {@code bin/track local} and
     * {@code infra} replace the script's shell with the infrastructure's JVM, so no parent sees
     * its exit to keep a recording. Each start records under a name of its own when the build has
     * no cache yet; the next start looks at those recordings, and the first one that a JVM with
     * {@code jvmOptions} can run on ({@code -XX:AOTMode=on}, which refuses a cache it cannot map:
     * a killed run's leftover, a file still being written) becomes the cache. Recordings (and
     * their configurations) older than {@link #STILL_BEING_WRITTEN} are removed at every start;
     * younger ones may be another start's, still being written. Options that choose a cache of
     * their own leave the JVM to them.
     */
    public List<String> launchUnsupervised(Path execJar, String module, List<String> jvmOptions, Consumer<String> notes)
            throws IOException, InterruptedException {
        if (!enabled || jvmOptions.stream().anyMatch(AotCache::choosesItsOwnCache)) {
            return List.of("-jar", execJar.toString());
        }
        Path extracted = extracted(execJar, module);
        Path cache = cacheIn(extracted, module);
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(extracted, module + ".aot.*.recording*")) {
            found.forEach(leftovers::add);
        }
        for (Path file : leftovers) {
            try {
                if (!Files.isRegularFile(cache) && file.toString().endsWith(".recording")
                        && runsOn(file, extracted.resolve(execJar.getFileName()), jvmOptions, notes)) {
                    Files.move(file, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } else if (Files.getLastModifiedTime(file).toInstant().isBefore(Instant.now().minus(STILL_BEING_WRITTEN))) {
                    Files.deleteIfExists(file);
                }
            } catch (NoSuchFileException movedOrRemovedByAnotherStart) {
                // two starts at once: the other one promoted or removed it
            }
        }
        // From here it starts as a supervised one does: on the cache, or recording under a name of its own.
        return launch(execJar, module, jvmOptions, notes).arguments();
    }

    private static boolean choosesItsOwnCache(String jvmOption) {
        return jvmOption.startsWith("-XX:AOT") || jvmOption.startsWith("-XX:SharedArchiveFile") || jvmOption.startsWith("-Xshare");
    }

    /**
     * Whether a JVM with these options starts on this cache: {@code -version}, after mapping it.
     * Only the options that decide whether a cache fits (heap, GC and other {@code -XX} flags)
     * are passed: an agent, a debugger waiting to be attached, a flight recording or a log file
     * would act, or wait, in this check. A check that does not end in a minute says no.
     */
    private boolean runsOn(Path recording, Path jar, List<String> jvmOptions, Consumer<String> notes) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(optionsDecidingTheFit(jvmOptions));
        Path output = Files.createTempFile("track-aot-check", ".log");
        Path crashReport = output.resolveSibling(output.getFileName() + ".crash");
        // a JVM that crashes on the file writes its report (and no core) beside the output, not where bin/track was run
        command.addAll(List.of("-Xlog:disable", "-Xlog:aot=error", "-XX:ErrorFile=" + crashReport, "-XX:-CreateCoredumpOnCrash",
                "-XX:AOTCache=" + recording, "-XX:AOTMode=on", "-cp", jar.toString(), "-version"));
        Process check = null;
        try {
            check = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!check.waitFor(1, TimeUnit.MINUTES)) {
                notes.accept("the AOT recording " + recording.getFileName() + " was not checked within a minute; recording again");
                return false;
            }
            if (check.exitValue() == JVM_FATAL_ERROR_EXIT) {
                notes.accept("the AOT recording " + recording.getFileName() + " cannot be used (the JVM crashed on it, exit "
                        + JVM_FATAL_ERROR_EXIT + ")");
                return false;
            }
            if (check.exitValue() != 0) {
                String why = Files.readAllLines(output).stream().filter(line -> !line.isBlank()).findFirst().orElse("exit " + check.exitValue());
                notes.accept("the AOT recording " + recording.getFileName() + " cannot be used yet (" + why + ")");
                return false;
            }
            return true;
        } finally {
            if (check != null && check.isAlive()) {
                check.destroyForcibly().waitFor(); // timed out, or this thread was interrupted while it ran
            }
            Files.deleteIfExists(output);
            Files.deleteIfExists(crashReport);
        }
    }

    /**
     * Of a service's JVM options, those a cache must have been recorded with to map (heap, GC and
     * module options; a module option given as two words, {@code --add-opens x=y}, with its value),
     * and none that would make the check itself record or write anything.
     */
    static List<String> optionsDecidingTheFit(List<String> jvmOptions) {
        List<String> deciding = new ArrayList<>();
        for (int index = 0; index < jvmOptions.size(); index++) {
            String option = jvmOptions.get(index);
            if (MODULE_OPTIONS.contains(option) && index + 1 < jvmOptions.size()) {
                deciding.add(option);
                deciding.add(jvmOptions.get(++index));
            } else if (decidesTheFit(option)) {
                deciding.add(option);
            }
        }
        return deciding;
    }

    private static boolean decidesTheFit(String option) {
        boolean recorded = option.startsWith("-Xm") || option.startsWith("-XX:") || MODULE_OPTIONS.stream().anyMatch(name -> option.startsWith(name + "="));
        return recorded && WRITES_SOMETHING.stream().noneMatch(option::contains);
    }

    /** What in a -XX option's name makes the JVM record, log or dump to a file: left out of the check, which must leave nothing. */
    private static final List<String> WRITES_SOMETHING = List.of("FlightRecord", "Log", "Dump", "File", "Path", "Print");

    /** Options a cache records among its module properties: one recorded with them maps only with them. */
    private static final List<String> MODULE_OPTIONS = List.of("--enable-native-access", "--sun-misc-unsafe-memory-access",
            "--add-modules", "--add-opens", "--add-exports", "--add-reads", "--limit-modules", "--patch-module", "--module-path",
            "--upgrade-module-path");

    private static void deleteRecording(Path recording) {
        try {
            Files.deleteIfExists(recording);
            Files.deleteIfExists(recording.resolveSibling(recording.getFileName() + ".config"));
        } catch (IOException ignored) {
            // a leftover in target/ is harmless: the next build's directory is a new one
        }
    }

    /** Whether this build of {@code execJar} has its cache already, so that a start runs on it. */
    public boolean recorded(Path execJar, String module) throws IOException {
        return enabled && Files.isRegularFile(cacheIn(build(execJar, module), module));
    }

    /**
     * The cache of this build for this JVM: a JVM refuses a cache another version of it recorded,
     * and would run without one for as long as the file stood there, so an updated JDK records
     * its own.
     */
    private static Path cacheIn(Path build, String module) {
        return build.resolve(module + "." + Runtime.version().toString().replaceAll("[^A-Za-z0-9.+-]", "_") + ".aot");
    }

    /** Where this build of the jar is extracted and its cache kept: {@code target/aot/<module>-<size>-<time>}. */
    private static Path build(Path execJar, String module) throws IOException {
        return execJar.toAbsolutePath().getParent().resolve("aot")
                .resolve(module + "-" + Files.size(execJar) + "-" + Files.getLastModifiedTime(execJar).toMillis());
    }

    /** The jar extracted once per build; other builds' directories removed. */
    private Path extracted(Path execJar, String module) throws IOException, InterruptedException {
        Path build = build(execJar, module);
        Path aot = build.getParent();
        if (Files.isRegularFile(build.resolve(execJar.getFileName()))) {
            return build;
        }
        Files.createDirectories(aot);
        Path unpacking = Files.createTempDirectory(aot, module + "-unpacking-");
        Process extract = new ProcessBuilder(java.toString(), "-Djarmode=tools", "-jar", execJar.toString(),
                "extract", "--force", "--destination", unpacking.toString()).redirectErrorStream(true).start();
        String output = new String(extract.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (extract.waitFor() != 0 || !Files.isRegularFile(unpacking.resolve(execJar.getFileName()))) {
            deleteTree(unpacking);
            throw new IllegalStateException("could not extract " + execJar + " for its AOT cache (TRACK_AOT_CACHE=off starts"
                    + " without one):\n" + output);
        }
        moveIntoPlace(unpacking, build, execJar.getFileName());
        removeOtherBuilds(aot, module, build);
        return build;
    }

    /**
     * Moves a finished extraction to where the build's starts find it, in one step. Another start of
     * the same build (two instances of a service started at once) may have moved its own there
     * first: Linux then refuses the rename as "Directory not empty", a plain FileSystemException,
     * and that one is used.
     */
    static void moveIntoPlace(Path unpacking, Path build, Path jarName) throws IOException {
        try {
            Files.move(unpacking, build, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileSystemException refused) {
            if (!Files.isRegularFile(build.resolve(jarName))) {
                deleteTree(unpacking);
                throw refused;
            }
            deleteTree(unpacking); // another start of the same build extracted it first
        }
    }

    private static void removeOtherBuilds(Path aot, String module, Path keep) {
        try (DirectoryStream<Path> builds = Files.newDirectoryStream(aot, module + "-*")) {
            for (Path other : builds) {
                if (!other.equals(keep) && !other.getFileName().toString().startsWith(module + "-unpacking-")) {
                    deleteTree(other);
                }
            }
        } catch (IOException ignored) {
            // an old build's directory left behind costs disk, not correctness
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // as above
        }
    }
}
