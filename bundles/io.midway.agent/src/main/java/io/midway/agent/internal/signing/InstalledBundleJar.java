package io.midway.agent.internal.signing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.osgi.framework.Bundle;

/**
 * Writes the content of an installed bundle, entry by entry and byte for byte, into a jar file, so
 * that its signatures can be checked with the JDK's verification: a signature covers the entries'
 * bytes and the manifest's, not the zip's layout. Only the bundle's own entries (no fragments).
 */
final class InstalledBundleJar {

    /** The most entries copied: a bundle with more is not checked but refused. */
    static final int MAX_ENTRIES = 100_000;

    private InstalledBundleJar() {
    }

    /**
     * @return {@code out}
     * @throws IOException when an entry cannot be read or the bundle has more than {@link #MAX_ENTRIES}
     */
    static Path write(Bundle bundle, Path out) throws IOException {
        int count = 0;
        try (OutputStream file = Files.newOutputStream(out); ZipOutputStream zip = new ZipOutputStream(file)) {
            Deque<String> folders = new ArrayDeque<>();
            folders.add("/");
            // the manifest first, as jars have it
            copy(bundle, "META-INF/MANIFEST.MF", zip);
            while (!folders.isEmpty()) {
                Enumeration<String> paths = bundle.getEntryPaths(folders.poll());
                while (paths != null && paths.hasMoreElements()) {
                    String path = paths.nextElement();
                    if (++count > MAX_ENTRIES) {
                        throw new IOException("more than " + MAX_ENTRIES + " entries");
                    }
                    if (path.endsWith("/")) {
                        folders.add(path);
                    } else if (!path.equals("META-INF/MANIFEST.MF")) {
                        copy(bundle, path, zip);
                    }
                }
            }
        }
        return out;
    }

    private static void copy(Bundle bundle, String path, ZipOutputStream zip) throws IOException {
        URL entry = bundle.getEntry(path);
        if (entry == null) {
            return;
        }
        zip.putNextEntry(new ZipEntry(path));
        try (InputStream in = entry.openStream()) {
            in.transferTo(zip);
        }
        zip.closeEntry();
    }
}
