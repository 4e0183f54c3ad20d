package dev.trackpipeline.infra.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Another JVM holding a store's lock file as a running track-pipeline does: locked, its process
 * id written in it, held until closed. A lock this JVM took itself would not do: a file lock
 * belongs to its process, and this process is told apart from others.
 */
public final class LockHolder implements AutoCloseable {

    private static final String SOURCE = """
            import java.nio.channels.FileChannel;
            import java.nio.file.*;
            public class Holder {
                public static void main(String[] args) throws Exception {
                    FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    channel.lock();
                    channel.write(java.nio.ByteBuffer.wrap(String.valueOf(ProcessHandle.current().pid()).getBytes()), 0);
                    System.out.println("locked");
                    System.in.read(); // held until the test ends this process
                }
            }
            """;

    private final Process process;

    private LockHolder(Process process) {
        this.process = process;
    }

    /** Returns once the other JVM holds {@code lockFile}; its source goes in {@code scratch}. */
    public static LockHolder hold(Path lockFile, Path scratch) throws IOException {
        Path source = Files.writeString(Files.createDirectories(scratch).resolve("Holder.java"), SOURCE);
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), source.toString(),
                lockFile.toString()).redirectErrorStream(true).start();
        String first = new BufferedReader(new InputStreamReader(process.getInputStream())).readLine();
        if (!"locked".equals(first)) {
            process.destroyForcibly();
            throw new IllegalStateException("the lock-holding process did not take " + lockFile + ": " + first);
        }
        return new LockHolder(process);
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }
}
