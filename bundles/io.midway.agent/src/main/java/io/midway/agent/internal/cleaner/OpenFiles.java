package io.midway.agent.internal.cleaner;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The files this process has open, read from {@code /proc/self/fd} (Linux). Elsewhere the set is
 * empty and only the rules and the age protect a file.
 */
final class OpenFiles {

    private OpenFiles() {
    }

    /** @return the real paths of the files this process has open */
    static Set<Path> ofThisProcess() {
        Set<Path> open = new HashSet<>();
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return open;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                try {
                    open.add(Files.readSymbolicLink(fd));
                } catch (IOException | UnsupportedOperationException e) {
                    // closed meanwhile, or not a link
                }
            }
        } catch (IOException e) {
            return open;
        }
        return open;
    }
}
