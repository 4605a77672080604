package io.midway.protocol.ssh.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.protocol.ssh.SshHostKeyException;

/**
 * An OpenSSH {@code known_hosts} file and the policy for using it: decides whether a server's host
 * key is accepted, and under {@code accept-new} records the key of a new host (an atomic rewrite
 * that keeps every other line).
 *
 * <p>Entries are matched like OpenSSH does: host patterns, {@code [host]:port} for a port other than
 * 22, hashed names ({@code |1|…}); {@code @revoked} keys are refused, {@code @cert-authority} lines
 * are ignored (certificates are not supported). A host that has a recorded key of the presented
 * type but a different one has CHANGED its key; a host that has recorded keys only of other types
 * is refused as well, since the presented key cannot be checked against them.
 */
final class KnownHosts {

    private static final Logger LOG = LoggerFactory.getLogger(KnownHosts.class);

    private final Path file;
    private final HostKeyPolicy policy;
    private final Object lock = new Object();

    /**
     * @param file the known_hosts file; it need not exist yet
     * @param policy the policy
     */
    KnownHosts(Path file, HostKeyPolicy policy) {
        this.file = file;
        this.policy = policy;
    }

    Path file() {
        return file;
    }

    HostKeyPolicy policy() {
        return policy;
    }

    /**
     * @param host the host name or address the connection was made to
     * @param port its port
     * @return how known_hosts names it: {@code host} for port 22, else {@code [host]:port}
     */
    static String entryName(String host, int port) {
        String name = host.toLowerCase(Locale.ROOT);
        return port == 22 ? name : "[" + name + "]:" + port;
    }

    /**
     * @param key a public key
     * @return its OpenSSH fingerprint, {@code SHA256:…}
     */
    static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
    }

    /**
     * Checks a server's host key, recording it when the host is new and the policy is
     * {@code accept-new}.
     *
     * @param host the host name or address connected to
     * @param port the port
     * @param key the key the server presented
     * @throws SshHostKeyException when the key is refused: unknown under {@code strict}, changed,
     *     revoked, or of a type the host has no recorded key of
     * @throws IOException when the file cannot be read or written
     */
    void check(String host, int port, PublicKey key) throws IOException {
        String target = entryName(host, port);
        String type = KeyUtils.getKeyType(key);
        String presented = type + " " + fingerprint(key);
        if (policy == HostKeyPolicy.OFF) {
            LOG.debug("host key of {} ({}) accepted without checking: host_key.policy is off", target, presented);
            return;
        }
        synchronized (lock) {
            String content = read();
            List<String> changed = new ArrayList<>();
            List<String> otherTypes = new ArrayList<>();
            String[] lines = content.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                PublicKey known = knownKey(lines[i], host, port, i + 1);
                if (known == null) {
                    continue;
                }
                KnownHostEntry entry = KnownHostEntry.parseKnownHostEntry(lines[i].trim());
                String marker = entry.getMarker();
                boolean same = KeyUtils.compareKeys(known, key);
                if ("revoked".equals(marker)) {
                    if (same) {
                        throw new SshHostKeyException("the host key of " + target + " (" + presented + ") is marked @revoked in "
                                + file + " line " + (i + 1) + ": refusing to connect.");
                    }
                    continue;
                }
                if (marker != null && !marker.isEmpty()) {
                    continue;
                }
                if (same) {
                    LOG.debug("host key of {} ({}) matches {} line {}", target, presented, file, i + 1);
                    return;
                }
                String knownType = KeyUtils.getKeyType(known);
                if (type.equals(knownType)) {
                    changed.add(fingerprint(known) + " (line " + (i + 1) + ")");
                } else {
                    otherTypes.add(knownType + " " + fingerprint(known) + " (line " + (i + 1) + ")");
                }
            }
            if (!changed.isEmpty()) {
                throw new SshHostKeyException("the host key of " + target + " has CHANGED: it presented " + presented + ", but " + file
                        + " records " + String.join(", ", changed) + ". Someone may be intercepting the connection (man in the "
                        + "middle), or the host was reinstalled; if the change is expected, remove the old line for " + target
                        + " from " + file + ".");
            }
            if (!otherTypes.isEmpty()) {
                throw new SshHostKeyException("the host key of " + target + " cannot be checked: it presented " + presented + ", but "
                        + file + " records only other key types for it: " + String.join(", ", otherTypes) + ". If the key is right, "
                        + "add it to " + file + " (e.g. ssh-keyscan -t " + type + (port == 22 ? "" : " -p " + port) + " " + host + ").");
            }
            if (policy == HostKeyPolicy.STRICT) {
                throw new SshHostKeyException("the host key of " + target + " (" + presented + ") is not known: host_key.policy is "
                        + "strict, so only hosts in " + file + " are trusted. Add the host's key to that file (e.g. ssh-keyscan"
                        + (port == 22 ? "" : " -p " + port) + " " + host + ", after checking the fingerprint) or use accept-new.");
            }
            record(content, target + " " + PublicKeyEntry.toString(key));
            LOG.info("Recorded the host key of {} ({}) in {} (host_key.policy accept-new)", target, presented, file);
        }
    }

    /** @return the key of a line that is an entry for the host, or {@code null} */
    private PublicKey knownKey(String line, String host, int port, int number) {
        String trimmed = line.trim();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
            return null;
        }
        try {
            KnownHostEntry entry = KnownHostEntry.parseKnownHostEntry(trimmed);
            if (entry == null || entry.getKeyEntry() == null || !entry.isHostMatch(host.toLowerCase(Locale.ROOT), port)) {
                return null;
            }
            return entry.getKeyEntry().resolvePublicKey(null, Collections.emptyMap(), PublicKeyEntryResolver.IGNORING);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.debug("{} line {} is not a usable known_hosts entry: {}", file, number, e.getMessage());
            return null;
        }
    }

    private String read() throws IOException {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new IOException("cannot read the known_hosts file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the file again with the line added: to a temporary file in the same folder, then an atomic rename. */
    private void record(String content, String line) throws IOException {
        StringBuilder text = new StringBuilder(content);
        if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') {
            text.append('\n');
        }
        text.append(line).append('\n');
        Path absolute = file.toAbsolutePath();
        Path folder = absolute.getParent();
        Path temporary = null;
        try {
            Files.createDirectories(folder);
            temporary = Files.createTempFile(folder, ".known_hosts-", ".tmp");
            Files.write(temporary, text.toString().getBytes(StandardCharsets.UTF_8));
            PosixFileAttributeView view = Files.getFileAttributeView(temporary, PosixFileAttributeView.class);
            if (view != null) {
                view.setPermissions(Files.exists(absolute)
                        ? Files.getPosixFilePermissions(absolute)
                        : PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            temporary = null;
        } catch (IOException e) {
            throw new IOException("cannot record the host key in " + file + ": " + e.getMessage(), e);
        } finally {
            if (temporary != null) {
                Files.deleteIfExists(temporary);
            }
        }
    }
}
