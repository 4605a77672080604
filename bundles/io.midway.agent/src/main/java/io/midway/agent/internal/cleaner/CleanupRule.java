package io.midway.agent.internal.cleaner;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One kind of file the File Cleaner may remove: it names the files that nothing uses any more.
 * The cleaner still checks each one's age, that it is a plain file inside the data folder, and
 * that no one has it open.
 */
interface CleanupRule {

    /** @return the rule's short name, shown with each removed file */
    String name();

    /**
     * @return the files this rule finds unused
     * @throws IOException when its folder cannot be read
     */
    List<Path> unused() throws IOException;

    /**
     * @param dir a folder
     * @param wanted which names to list
     * @return the entries of the folder whose names are wanted (none when it does not exist)
     * @throws IOException when it cannot be read
     */
    static List<Path> list(Path dir, Predicate<String> wanted) throws IOException {
        List<Path> out = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (wanted.test(entry.getFileName().toString())) {
                    out.add(entry);
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        out.sort(null);
        return out;
    }
}
