package io.midway.instance.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.internal.BundleJarInspector.BundleIdentity;
import io.midway.instance.internal.store.StoreSession;
import io.midway.instance.internal.store.StoreSession.StoredCore;
import io.midway.wire.InstanceInfo;
import io.midway.wire.Json;

/**
 * The agent cores the instance offers for upgrade: {@code io.midway.agent} jars, one per version,
 * all kept as {@code <midway.data>/cores/<sha256>.jar}, with their metadata and download counts in
 * the instance database. Uploading a core makes its version the instance version (through
 * {@link EccService#changeCores}), which every poll reply carries and which wakes every waiting
 * long poll; uploading an older one takes the instance version back (a downgrade).
 */
@Component(service = AgentCoreRepository.class)
public class AgentCoreRepository {

    /** The Bundle-SymbolicName every core has. */
    public static final String CORE_SYMBOLIC_NAME = "io.midway.agent";
    /** The largest jar accepted: 64 MiB. */
    public static final long MAX_CORE_BYTES = 64L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(AgentCoreRepository.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern STORED_JAR = Pattern.compile("[0-9a-f]{64}\\.jar");
    private static final String INCOMING_PREFIX = "upload-";
    private static final String INCOMING_SUFFIX = ".tmp";
    /** Cores by version, oldest first. */
    private static final Comparator<StoredCore> BY_VERSION = Comparator
            .comparing((StoredCore c) -> Version.parseVersion(c.core().version()));

    /**
     * The outcome of an upload.
     *
     * @param core the core as stored, now the instance's
     * @param previousVersion the instance version before the upload
     */
    public record Published(InstanceInfo.Core core, String previousVersion) {
    }

    /**
     * A stored core as admins see it.
     *
     * @param core the core
     * @param uploadedOn when its bytes were uploaded, wire format
     * @param downloads how often agents fetched these bytes completely
     */
    public record Listed(InstanceInfo.Core core, String uploadedOn, long downloads) {
    }

    /**
     * What admins see of the upgrade.
     *
     * @param version the instance version
     * @param core the stored core of that version, or {@code null}
     * @param cores every stored core, oldest version first
     */
    public record Overview(String version, Listed core, List<Listed> cores) {
    }

    /**
     * The bytes of one core, opened for reading. The caller closes the stream.
     *
     * @param core the core
     * @param bytes its bytes
     */
    public record Download(InstanceInfo.Core core, InputStream bytes) {
    }

    private final EccService service;
    private final Path directory;
    private final long maxBytes;

    /**
     * Keeps the jars under {@code <midway.data>/cores}.
     *
     * @param context the bundle context, for {@code midway.data}
     * @param service the instance, which holds the database and the instance version
     */
    @Activate
    public AgentCoreRepository(BundleContext context, @Reference EccService service) {
        this(service, EccService.dataDirectory(context).resolve("cores"), MAX_CORE_BYTES);
    }

    /**
     * @param service the instance, which holds the database and the instance version
     * @param directory where the jars are kept
     * @param maxBytes the largest jar accepted
     */
    public AgentCoreRepository(EccService service, Path directory, long maxBytes) {
        this.service = service;
        this.directory = directory.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(this.directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the agent core directory " + this.directory, e);
        }
        tidy();
    }

    /** @return the directory holding the jars */
    public Path directory() {
        return directory;
    }

    /**
     * Stores an uploaded agent core and makes its version the instance version. A core of a version
     * already stored is replaced.
     *
     * @param body the jar, streamed; read to the end or to the size limit
     * @param declaredLength the Content-Length, or -1 when unknown
     * @return the stored core and the instance version before
     * @throws RequestException 400 when it is not a readable jar of {@code io.midway.agent} with a
     *     valid Bundle-Version; 413 above the size limit
     * @throws IOException when reading the body fails
     */
    public Published upload(InputStream body, long declaredLength) throws IOException {
        if (declaredLength > maxBytes) {
            throw tooLarge(declaredLength);
        }
        Path incoming = Files.createTempFile(directory, INCOMING_PREFIX, INCOMING_SUFFIX);
        try {
            MessageDigest digest = sha256();
            long size = 0;
            byte[] buffer = new byte[64 * 1024];
            try (OutputStream out = Files.newOutputStream(incoming)) {
                for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                    size += n;
                    if (size > maxBytes) {
                        throw tooLarge(-1);
                    }
                    digest.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            }
            if (size == 0) {
                throw RequestException.badRequest("the request body is empty", "send the agent core jar as the body");
            }
            BundleIdentity identity = BundleJarInspector.inspect(incoming);
            if (!CORE_SYMBOLIC_NAME.equals(identity.symbolicName())) {
                throw RequestException.badRequest("not an agent core: Bundle-SymbolicName is "
                        + identity.symbolicName() + ", not " + CORE_SYMBOLIC_NAME,
                        "plug-ins go to POST /api/mid/admin/files");
            }
            if (!BundleJarInspector.declaresVersion(incoming)) {
                throw RequestException.badRequest("no Bundle-Version in the manifest",
                        "the version of an agent core becomes the instance version");
            }
            InstanceInfo.Core core = new InstanceInfo.Core(identity.symbolicName(), identity.version(),
                    HexFormat.of().formatHex(digest.digest()), size);
            Published published = store(incoming, core);
            LOG.info("Agent core {} {} ({} bytes, sha256 {}) published: instance version {} -> {}",
                    core.symbolicName(), core.version(), core.size(), core.sha256(), published.previousVersion(),
                    core.version());
            return published;
        } finally {
            Files.deleteIfExists(incoming);
        }
    }

    private Published store(Path incoming, InstanceInfo.Core core) {
        return service.changeCores(tx -> {
            StoreSession s = tx.session();
            String previous = tx.instanceVersion();
            Optional<StoredCore> existing = s.findCore(core.version());
            boolean sameBytes = existing.isPresent() && existing.get().core().sha256().equals(core.sha256());
            Path target = jarPath(core.sha256());
            if (!Files.exists(target)) {
                move(incoming, target);
                if (!sameBytes) {
                    tx.onRollback(() -> deleteQuietly(target));
                }
            }
            if (!sameBytes) {
                s.putCore(core, Json.time(tx.now()));
                if (existing.isPresent()) {
                    Path old = jarPath(existing.get().core().sha256());
                    LOG.info("Agent core {} is replaced by new bytes (sha256 {} -> {})", core.version(),
                            existing.get().core().sha256(), core.sha256());
                    tx.onCommit(() -> deleteQuietly(old));
                }
            }
            tx.publish(core.version());
            return new Published(core, previous);
        });
    }

    /** @return the instance version, its core, and every stored core with its downloads */
    public Overview overview() {
        return service.readCores(s -> {
            String version = service.instanceVersion();
            List<Listed> cores = sorted(s.cores()).stream().map(AgentCoreRepository::listed).toList();
            Listed current = cores.stream().filter(c -> c.core().version().equals(version)).findFirst()
                    .orElse(null);
            return new Overview(version, current, cores);
        });
    }

    /** @return every stored core, oldest version first */
    public List<InstanceInfo.Core> cores() {
        return service.readCores(s -> sorted(s.cores()).stream().map(StoredCore::core).toList());
    }

    /**
     * Opens the bytes of a stored core.
     *
     * @param sha256 the hash from the request path
     * @return the core and its bytes
     * @throws RequestException 400 when it is not 64 hex digits, 404 when no stored core has it
     */
    public Download open(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw RequestException.badRequest("not a sha256: '" + abbreviate(sha256) + "'",
                    "expected 64 hex digits, as in GET /api/mid/cores");
        }
        String hash = sha256.toLowerCase(Locale.ROOT);
        return service.readCores(s -> {
            InstanceInfo.Core core = s.findCoreBySha256(hash).map(StoredCore::core)
                    .orElseThrow(() -> RequestException.notFound("no agent core has sha256 " + hash,
                            "GET /api/mid/cores lists the cores"));
            try {
                return new Download(core, Files.newInputStream(jarPath(hash)));
            } catch (NoSuchFileException e) {
                LOG.error("The bytes of agent core {} ({}) are missing from {}", core.version(), jarPath(hash),
                        directory);
                throw RequestException.notFound("the instance has lost the bytes of agent core " + core.version(),
                        "an admin uploads it again");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** @param sha256 the hash of a core an agent fetched completely */
    public void downloaded(String sha256) {
        String hash = sha256.toLowerCase(Locale.ROOT);
        service.changeCores(tx -> tx.session().countCoreDownload(hash));
    }

    // --- files -----------------------------------------------------------------------------

    private static List<StoredCore> sorted(List<StoredCore> cores) {
        List<StoredCore> list = new ArrayList<>(cores);
        list.sort(BY_VERSION);
        return list;
    }

    private static Listed listed(StoredCore stored) {
        return new Listed(stored.core(), stored.uploadedOn(), stored.downloads());
    }

    private RequestException tooLarge(long size) {
        return new RequestException(RequestException.Kind.PAYLOAD_TOO_LARGE,
                "the file is too large: at most " + maxBytes + " bytes", size < 0 ? "" : "got " + size + " bytes");
    }

    private Path jarPath(String sha256) {
        return directory.resolve(sha256 + ".jar");
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store " + to, e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Cannot delete {}: {}; it is removed at the next start", file, e.toString());
        }
    }

    /** At start: removes unfinished uploads and jars no core names, and reports cores whose bytes are missing. */
    private void tidy() {
        service.readCores(s -> {
            Set<String> wanted = new HashSet<>();
            for (StoredCore stored : s.cores()) {
                Path jar = jarPath(stored.core().sha256());
                wanted.add(jar.getFileName().toString());
                if (!Files.isRegularFile(jar)) {
                    LOG.error("The bytes of agent core {} ({}) are missing; agents cannot upgrade to it until it is "
                            + "uploaded again", stored.core().version(), jar);
                }
            }
            List<Path> stale = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
                for (Path entry : entries) {
                    String fileName = entry.getFileName().toString();
                    boolean unfinished = fileName.startsWith(INCOMING_PREFIX) && fileName.endsWith(INCOMING_SUFFIX);
                    boolean unused = STORED_JAR.matcher(fileName).matches() && !wanted.contains(fileName);
                    if (unfinished || unused) {
                        stale.add(entry);
                    }
                }
            } catch (IOException e) {
                LOG.warn("Cannot list {}: {}", directory, e.toString());
            }
            for (Path entry : stale) {
                LOG.info("Removing {}: no stored agent core uses it", entry);
                deleteQuietly(entry);
            }
            return null;
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
