package io.midway.e2e;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Temporary folders of the end-to-end tests (copies of the distribution, data folders, logs:
 * about 100 MB a test class), removed when the test JVM ends so that repeated runs do not fill the
 * disk. {@code -Dmidway.it.keep=true} keeps them for a look after a failure.
 */
final class TestFolders {

    private static final List<Path> MADE = new CopyOnWriteArrayList<>();

    static {
        if (!Boolean.getBoolean("midway.it.keep")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> MADE.forEach(TestFolders::deleteQuietly),
                    "midway-it-cleanup"));
        }
    }

    private TestFolders() {
    }

    /**
     * @param prefix the folder name's start
     * @return a new empty folder, removed when the JVM ends
     * @throws IOException when it cannot be made
     */
    static Path temporary(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        MADE.add(dir);
        return dir;
    }

    private static void deleteQuietly(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        // a process still writing: leave it
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) {
                    try {
                        Files.deleteIfExists(d);
                    } catch (IOException ignored) {
                        // not empty: something was left
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // nothing more to do at exit
        }
    }
}
