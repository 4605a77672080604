package io.midway.wire.jar;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a jar's {@code META-INF/MANIFEST.MF} only when it is within bounds: at most
 * {@value #MAX_BYTES} bytes, at most {@value #MAX_LINES} lines, and no header named twice in one
 * section. The checks run on the raw bytes, before {@link Manifest} parses them, so that a hostile
 * manifest never reaches the JDK's parser (which logs a warning per repeated header).
 */
public final class BoundedManifest {

    /** The most bytes a manifest may have (1 MiB). */
    public static final int MAX_BYTES = 1024 * 1024;
    /** The most lines (continuation lines included) a manifest may have. */
    public static final int MAX_LINES = 20_000;

    private BoundedManifest() {
    }

    /**
     * @param jar a jar file
     * @return its manifest, or {@code null} when it has none
     * @throws InvalidManifestException when the manifest breaks a bound or cannot be parsed; the
     *     message names the bound
     * @throws IOException when the file is no readable zip
     */
    public static Manifest read(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = manifestEntry(zip);
            if (entry == null) {
                return null;
            }
            if (entry.getSize() > MAX_BYTES) {
                throw tooLarge();
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return parse(readBounded(in));
            }
        }
    }

    /**
     * @param bytes the bytes of a manifest
     * @return the manifest
     * @throws InvalidManifestException when it breaks a bound or cannot be parsed
     */
    public static Manifest parse(byte[] bytes) throws InvalidManifestException {
        if (bytes.length > MAX_BYTES) {
            throw tooLarge();
        }
        check(bytes);
        try {
            return new Manifest(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new InvalidManifestException("META-INF/MANIFEST.MF cannot be parsed: " + e.getMessage());
        }
    }

    private static ZipEntry manifestEntry(ZipFile zip) {
        ZipEntry entry = zip.getEntry(JarFile.MANIFEST_NAME);
        if (entry != null) {
            return entry;
        }
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
            ZipEntry candidate = e.nextElement();
            if (candidate.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME)) {
                return candidate;
            }
        }
        return null;
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            out.write(buffer, 0, n);
            if (out.size() > MAX_BYTES) {
                throw tooLarge();
            }
        }
        return out.toByteArray();
    }

    private static InvalidManifestException tooLarge() {
        return new InvalidManifestException("META-INF/MANIFEST.MF is larger than the limit of " + MAX_BYTES
                + " bytes (1 MiB)");
    }

    /** Counts lines and looks for a header named twice in one section, on the raw bytes. */
    private static void check(byte[] bytes) throws InvalidManifestException {
        Set<String> names = new HashSet<>();
        int lines = 0;
        int start = 0;
        int length = bytes.length;
        while (start < length) {
            int end = start;
            while (end < length && bytes[end] != '\n' && bytes[end] != '\r') {
                end++;
            }
            lines++;
            if (lines > MAX_LINES) {
                throw new InvalidManifestException("META-INF/MANIFEST.MF has more than the limit of " + MAX_LINES
                        + " lines");
            }
            if (end == start) {
                names.clear(); // a blank line ends a section
            } else if (bytes[start] != ' ') {
                int colon = start;
                while (colon < end && bytes[colon] != ':') {
                    colon++;
                }
                String name = new String(bytes, start, colon - start, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
                if (!names.add(name)) {
                    throw new InvalidManifestException("META-INF/MANIFEST.MF names the header '" + abbreviate(name)
                            + "' twice in one section (line " + lines + "): each header may appear once");
                }
            }
            if (end < length && bytes[end] == '\r' && end + 1 < length && bytes[end + 1] == '\n') {
                end++;
            }
            start = end + 1;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
