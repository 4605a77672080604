package io.midway.instance.internal;

import io.midway.instance.api.CoreRepository;
import io.midway.instance.api.InstanceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.internal.BundleJarInspector.BundleIdentity;
import io.midway.instance.store.StoreSession;
import io.midway.instance.store.StoredCore;
import io.midway.instance.api.InstanceDescription;
import io.midway.wire.Json;

/**
 * The agent cores the instance offers for upgrade: {@code io.midway.agent} jars, one per version,
 * their bytes, metadata and download counts kept in the instance database (so every instance node
 * on it offers the same cores), each node caching the bytes as {@code <midway.data>/cores/<sha256>.jar}. Uploading a core makes its version the instance version (through
 * {@link InstanceCore#changeCores}), which every poll reply carries and which wakes every waiting
 * long poll; uploading an older one takes the instance version back (a downgrade).
 */
@Component(service = {CoreRepository.class})
public class AgentCoreRepository implements CoreRepository {

    /** The Bundle-SymbolicName every core has. */
    public static final String CORE_SYMBOLIC_NAME = "io.midway.agent";

    private static final Logger LOG = LoggerFactory.getLogger(AgentCoreRepository.class);
    /** Cores by version, oldest first. */
    private static final Comparator<StoredCore> BY_VERSION = Comparator
            .comparing((StoredCore c) -> Version.parseVersion(c.core().version()));





    private final InstanceCore service;
    private final JarDirectory jars;
    /** whether an upload must be signed (signatures not required until the component gives its own) */
    private UploadSigning signing = new UploadSigning();

    /**
     * Keeps the jars under {@code <midway.data>/cores}.
     *
     * @param context the bundle context, for {@code midway.data}
     * @param service the instance, which holds the database and the instance version
     */
    @Activate
    public AgentCoreRepository(BundleContext context, @Reference InstanceCore service, @Reference UploadSigning signing) {
        this(service, InstanceCore.dataDirectory(context).resolve("cores"), MAX_CORE_BYTES);
        this.signing = signing;
    }

    /**
     * @param service the instance, which holds the database and the instance version
     * @param directory where the jars are kept
     * @param maxBytes the largest jar accepted
     */
    public AgentCoreRepository(InstanceCore service, Path directory, long maxBytes) {
        this.service = service;
        this.jars = new JarDirectory(directory, maxBytes, "agent core");
        tidy();
    }

    /**
     * @param policy whether uploads must be signed, and by whom (tests; the component gets it by reference)
     * @return this
     */
    public AgentCoreRepository withSigning(UploadSigning policy) {
        this.signing = policy;
        return this;
    }

    /** @return the directory holding the jars */
    public Path directory() {
        return jars.directory();
    }

    /**
     * Stores an uploaded agent core and makes its version the instance version. A core of a version
     * already stored is replaced.
     *
     * @param body the jar, streamed; read to the end or to the size limit
     * @param declaredLength the Content-Length, or -1 when unknown
     * @return the stored core and the instance version before
     * @throws InstanceException 400 when it is not a readable jar of {@code io.midway.agent} with a
     *     valid Bundle-Version; 413 above the size limit
     * @throws IOException when reading the body fails
     */
    public Published upload(InputStream body, long declaredLength) throws IOException {
        jars.checkDeclaredLength(declaredLength);
        Path incoming = jars.incoming();
        try {
            JarDirectory.Received received = jars.receive(body, incoming);
            if (received.size() == 0) {
                throw InstanceException.invalid("the request body is empty", "send the agent core jar as the body");
            }
            BundleIdentity identity = BundleJarInspector.inspect(incoming);
            if (!CORE_SYMBOLIC_NAME.equals(identity.symbolicName())) {
                throw InstanceException.invalid("not an agent core: Bundle-SymbolicName is "
                        + identity.symbolicName() + ", not " + CORE_SYMBOLIC_NAME,
                        "plug-ins go to POST /api/mid/admin/files");
            }
            if (!BundleJarInspector.declaresVersion(incoming)) {
                throw InstanceException.invalid("no Bundle-Version in the manifest",
                        "the version of an agent core becomes the instance version");
            }
            signing.check(incoming, "the agent core");
            InstanceDescription.Core core = new InstanceDescription.Core(identity.symbolicName(), identity.version(),
                    received.sha256(), received.size());
            Published published = store(incoming, received, core);
            LOG.info("Agent core {} {} ({} bytes, sha256 {}) published: instance version {} -> {}",
                    core.symbolicName(), core.version(), core.size(), core.sha256(), published.previousVersion(),
                    core.version());
            return published;
        } finally {
            Files.deleteIfExists(incoming);
        }
    }

    private Published store(Path incoming, JarDirectory.Received received, InstanceDescription.Core core) {
        return service.changeCores(tx -> {
            StoreSession s = tx.session();
            String previous = tx.instanceVersion();
            Optional<StoredCore> existing = s.findCore(core.version());
            boolean sameBytes = existing.isPresent() && existing.get().core().sha256().equals(core.sha256());
            // The bytes go into the database with the row that names them.
            jars.storeBytes(s.jars(), received, incoming, tx.now());
            tx.onCommit(() -> jars.cache(incoming, core.sha256()));
            if (!sameBytes) {
                s.putCore(core, Json.time(tx.now()));
                if (existing.isPresent()) {
                    String old = existing.get().core().sha256();
                    LOG.info("Agent core {} is replaced by new bytes (sha256 {} -> {})", core.version(), old,
                            core.sha256());
                    s.jars().deleteUnnamed(old);
                    tx.onCommit(() -> JarDirectory.deleteQuietly(jarPath(old)));
                }
            }
            tx.publish(core.version());
            return new Published(core, previous);
        });
    }

    /** @return the instance version, its core, and every stored core with its downloads */
    public Overview overview() {
        return service.readSerialized(s -> {
            String version = service.instanceVersion();
            List<Listed> cores = sorted(s.cores()).stream().map(AgentCoreRepository::listed).toList();
            Listed current = cores.stream().filter(c -> c.core().version().equals(version)).findFirst()
                    .orElse(null);
            return new Overview(version, current, cores);
        });
    }

    /** @return every stored core, oldest version first */
    public List<InstanceDescription.Core> cores() {
        return service.readSerialized(s -> sorted(s.cores()).stream().map(StoredCore::core).toList());
    }

    /**
     * Opens the bytes of a stored core.
     *
     * @param sha256 the hash from the request path
     * @return the core and its bytes
     * @throws InstanceException 400 when it is not 64 hex digits, 404 when no stored core has it
     */
    public Download open(String sha256) {
        String hash = JarDirectory.checkSha256(sha256, "GET /api/mid/cores");
        InstanceDescription.Core core = stored(hash);
        try {
            Optional<Path> jar = jars.cached(hash, service);
            if (jar.isEmpty()) {
                stored(hash);
                LOG.error("The bytes of agent core {} ({}) are missing from the database", core.version(), hash);
                throw InstanceException.notFound("the instance has lost the bytes of agent core " + core.version(),
                        "an admin uploads it again");
            }
            return new Download(core, Files.newInputStream(jar.get()));
        } catch (NoSuchFileException e) {
            // removed since it was looked up
            throw notStored(hash);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the stored core with these bytes; 404 when there is none (this node's copy is then removed) */
    private InstanceDescription.Core stored(String hash) {
        return service.readSerialized(s -> s.findCoreBySha256(hash).map(StoredCore::core)).orElseThrow(() -> {
            // Replaced, maybe on another node: this node's cached copy goes too.
            JarDirectory.deleteQuietly(jarPath(hash));
            return notStored(hash);
        });
    }

    private static InstanceException notStored(String hash) {
        return InstanceException.notFound("no agent core has sha256 " + hash, "GET /api/mid/cores lists the cores");
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

    private Path jarPath(String sha256) {
        return jars.jarPath(sha256);
    }

    /**
     * At start: moves into the database the bytes an older release kept only in the folder,
     * removes stored jars nothing names, unfinished uploads and cached jars no core names, and
     * reports cores whose bytes are missing.
     */
    private void tidy() {
        Map<String, String> named = service.readSerialized(s -> {
            Map<String, String> cores = new java.util.LinkedHashMap<>();
            for (StoredCore stored : s.cores()) {
                cores.put(stored.core().sha256(), "agent core " + stored.core().version());
            }
            return cores;
        });
        jars.adopt(named, service, work -> service.changeCores(tx -> {
            work.run(tx.session().jars(), tx.now());
            return null;
        }));
        jars.removeUnused(named.keySet(), "stored agent core");
    }
}
