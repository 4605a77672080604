package io.midway.instance.internal;

import io.midway.instance.api.FileRepository;
import io.midway.instance.api.InstanceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.internal.BundleJarInspector.BundleIdentity;
import io.midway.instance.store.StoreSession;
import io.midway.instance.store.StoredSyncFile;
import io.midway.wire.Json;
import io.midway.instance.api.RepositoryFile;
import io.midway.instance.api.SyncFiles;

/**
 * The file-sync repository: bundle jars that every agent installs, one per symbolic name, with a
 * revision that changes with every change of the set. The bytes, the metadata and the revision
 * are kept in the instance database, so every instance node on it serves the same files; each
 * node caches the bytes as {@code <midway.data>/files/<sha256>.jar} (see {@link JarDirectory}) (through {@link InstanceCore}, whose poll replies carry the revision and whose waiting
 * long polls complete when it changes). Counts, in memory, how often agents fetched each file.
 */
@Component(service = {FileRepository.class})
public class FileSyncService implements FileRepository {

    /** The kinds of file, in the order error messages list them. */
    public static final List<String> KINDS = List.of(RepositoryFile.KIND_PROBE, RepositoryFile.KIND_PROTOCOL,
            RepositoryFile.KIND_CREDENTIAL, RepositoryFile.KIND_LIBRARY);

    private static final Logger LOG = LoggerFactory.getLogger(FileSyncService.class);
    /** Symbolic names of the agent core and the framework: never synced. */
    private static final Set<String> CORE_NAMES = Set.of("io.midway.agent", "io.midway.api", "io.midway.wire",
            "org.apache.felix.framework", "org.apache.felix.scr", "org.apache.felix.configadmin",
            "org.apache.felix.fileinstall");
    private static final Pattern FILE_NAME = Pattern.compile("[^/\\\\\\p{Cntrl}]{1,255}");






    private final InstanceCore service;
    private final JarDirectory jars;
    /** whether an upload must be signed (signatures not required until the component gives its own) */
    private UploadSigning signing = new UploadSigning();
    private final Map<String, AtomicLong> downloads = new ConcurrentHashMap<>();

    /**
     * Keeps the jars under {@code <midway.data>/files}.
     *
     * @param context the bundle context, for {@code midway.data}
     * @param service the instance, which holds the database
     */
    @Activate
    public FileSyncService(BundleContext context, @Reference InstanceCore service, @Reference UploadSigning signing) {
        this(service, InstanceCore.dataDirectory(context).resolve("files"), MAX_FILE_BYTES);
        this.signing = signing;
    }

    /**
     * @param service the instance, which holds the database
     * @param directory where the jars are kept
     * @param maxFileBytes the largest jar accepted
     */
    public FileSyncService(InstanceCore service, Path directory, long maxFileBytes) {
        this.service = service;
        this.jars = new JarDirectory(directory, maxFileBytes, "file-sync");
        tidy();
    }

    /**
     * @param policy whether uploads must be signed, and by whom (tests; the component gets it by reference)
     * @return this
     */
    public FileSyncService withSigning(UploadSigning policy) {
        this.signing = policy;
        return this;
    }

    /** @return the directory holding the jars */
    public Path directory() {
        return jars.directory();
    }

    /**
     * Stores an uploaded jar: new for its symbolic name, or replacing the file with that name.
     * The same bytes again (same kind, no other name) change nothing.
     *
     * @param body the jar, streamed; read to the end or to the size limit
     * @param declaredLength the Content-Length, or -1 when unknown
     * @param kind {@code probe}, {@code protocol}, {@code credential} or {@code library}
     * @param requestedName the file name to show, or {@code null} for {@code <bsn>-<version>.jar}
     * @return what was stored and the revision
     * @throws InstanceException 400 for an unknown kind, a bad name, a file that is not a bundle jar,
     *     or a symbolic name of the agent core; 413 above the size limit
     * @throws IOException when reading the body fails
     */
    public Upload upload(InputStream body, long declaredLength, String kind, String requestedName) throws IOException {
        jars.checkDeclaredLength(declaredLength);
        Path incoming = jars.incoming();
        try {
            // Read the whole body before judging the parameters, so that a client still sending
            // gets the 400 and its reason instead of a reset connection.
            JarDirectory.Received received = jars.receive(body, incoming);
            String checkedKind = checkKind(kind);
            String name = checkName(requestedName);
            if (received.size() == 0) {
                throw InstanceException.invalid("the request body is empty", "send the bundle jar as the body");
            }
            BundleIdentity identity = BundleJarInspector.inspect(incoming);
            checkNotCore(identity.symbolicName());
            signing.check(incoming, "the plug-in");
            Upload upload = store(incoming, received, identity, checkedKind, name);
            if (upload.changed()) {
                LOG.info("File sync revision {}: {} {} ({}, {} bytes, sha256 {}) stored as {}", upload.revision(),
                        identity.symbolicName(), identity.version(), checkedKind, received.size(), received.sha256(),
                        upload.file().name());
            } else {
                LOG.info("File sync: {} {} uploaded again unchanged; revision stays {}", identity.symbolicName(),
                        identity.version(), upload.revision());
            }
            return upload;
        } finally {
            Files.deleteIfExists(incoming);
        }
    }

    private Upload store(Path incoming, JarDirectory.Received received, BundleIdentity identity, String kind, String name) {
        return service.changeSyncFiles(tx -> {
            StoreSession s = tx.session();
            Optional<RepositoryFile> existing = s.findSyncFile(identity.symbolicName()).map(StoredSyncFile::file);
            boolean sameBytes = existing.isPresent() && existing.get().sha256().equals(received.sha256());
            // The bytes go into the database with the row that names them (and stay there when they
            // are already: the same bytes again, or bytes restored after a loss).
            jars.storeBytes(s.jars(), received, incoming, tx.now());
            tx.onCommit(() -> jars.cache(incoming, received.sha256()));
            if (sameBytes && existing.get().kind().equals(kind) && (name == null || name.equals(existing.get().name()))) {
                return new Upload(existing.get(), false, Long.toString(s.syncRevision()));
            }
            String fileName = name != null ? name
                    : sameBytes ? existing.get().name()
                    : identity.symbolicName() + "-" + identity.version() + ".jar";
            RepositoryFile file = new RepositoryFile(fileName, kind, identity.symbolicName(), identity.version(),
                    received.sha256(), received.size());
            s.putSyncFile(file, Json.time(tx.now()));
            long revision = tx.nextRevision();
            if (existing.isPresent() && !sameBytes) {
                String old = existing.get().sha256();
                s.jars().deleteUnnamed(old);
                tx.onCommit(() -> JarDirectory.deleteQuietly(jarPath(old)));
            }
            return new Upload(file, true, Long.toString(revision));
        });
    }

    /**
     * Removes the file of a symbolic name.
     *
     * @param symbolicName the Bundle-SymbolicName
     * @return the file removed and the new revision
     * @throws InstanceException 404 when there is no such file
     */
    public Removal delete(String symbolicName) {
        Removal removal = service.changeSyncFiles(tx -> {
            StoreSession s = tx.session();
            RepositoryFile file = s.findSyncFile(symbolicName).map(StoredSyncFile::file)
                    .orElseThrow(() -> InstanceException.notFound("no file with symbolic name " + symbolicName,
                            "GET /api/mid/admin/files lists the files"));
            s.deleteSyncFile(symbolicName);
            s.jars().deleteUnnamed(file.sha256());
            long revision = tx.nextRevision();
            Path jar = jarPath(file.sha256());
            tx.onCommit(() -> JarDirectory.deleteQuietly(jar));
            return new Removal(file, Long.toString(revision));
        });
        LOG.info("File sync revision {}: {} {} removed", removal.revision(), removal.file().symbolicName(),
                removal.file().version());
        return removal;
    }

    /** @return the current revision */
    public String revision() {
        return service.syncRevision();
    }

    /** @return what every agent should have, files sorted by symbolic name */
    public SyncFiles snapshot() {
        return service.readSerialized(s -> new SyncFiles(Long.toString(s.syncRevision()),
                s.syncFiles().stream().map(StoredSyncFile::file).toList()));
    }

    /** @return the files with their upload time and download count, and the revision */
    public Listing listing() {
        return service.readSerialized(s -> new Listing(Long.toString(s.syncRevision()),
                s.syncFiles().stream().map(this::listed).toList()));
    }

    /**
     * @param symbolicName a Bundle-SymbolicName
     * @return its file with upload time and download count
     */
    public Optional<Listed> file(String symbolicName) {
        return service.readSerialized(s -> s.findSyncFile(symbolicName).map(this::listed));
    }

    private Listed listed(StoredSyncFile stored) {
        AtomicLong count = downloads.get(stored.file().sha256());
        return new Listed(stored.file(), stored.uploadedOn(), count == null ? 0 : count.get());
    }

    /**
     * Opens the bytes of a current file.
     *
     * @param sha256 the hash from the request path
     * @return the file and its bytes
     * @throws InstanceException 400 when it is not 64 hex digits, 404 when no current file has it
     */
    public Download open(String sha256) {
        String hash = JarDirectory.checkSha256(sha256, "the snapshot");
        RepositoryFile file = current(hash);
        try {
            Optional<Path> jar = jars.cached(hash, service);
            if (jar.isEmpty()) {
                current(hash);
                LOG.error("The bytes of {} {} ({}) are missing from the database", file.symbolicName(), file.version(),
                        hash);
                throw InstanceException.notFound("the instance has lost the bytes of " + file.symbolicName(),
                        "an admin uploads it again");
            }
            return new Download(file, Files.newInputStream(jar.get()));
        } catch (NoSuchFileException e) {
            // removed since it was looked up
            throw notCurrent(hash);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the current file with these bytes; 404 when there is none (this node's copy is then removed) */
    private RepositoryFile current(String hash) {
        return service.readSerialized(s -> s.findSyncFileBySha256(hash).map(StoredSyncFile::file)).orElseThrow(() -> {
            // Removed, maybe on another node: this node's cached copy goes too.
            JarDirectory.deleteQuietly(jarPath(hash));
            return notCurrent(hash);
        });
    }

    private static InstanceException notCurrent(String hash) {
        return InstanceException.notFound("no current file has sha256 " + hash,
                "GET /api/mid/file_sync/snapshot names the current files");
    }

    /** @param sha256 the hash of a file an agent fetched completely */
    public void downloaded(String sha256) {
        downloads.computeIfAbsent(sha256.toLowerCase(Locale.ROOT), k -> new AtomicLong()).incrementAndGet();
    }

    // --- checks ----------------------------------------------------------------------------

    private static String checkKind(String kind) {
        if (kind == null || kind.isBlank()) {
            throw InstanceException.invalid("query parameter 'kind' is required",
                    "one of: " + String.join(", ", KINDS));
        }
        String k = kind.trim();
        if (!KINDS.contains(k)) {
            throw InstanceException.invalid("unknown kind '" + JarDirectory.abbreviate(k) + "'", "one of: " + String.join(", ", KINDS));
        }
        return k;
    }

    private static String checkName(String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        String n = name.trim();
        if (!FILE_NAME.matcher(n).matches() || n.equals(".") || n.equals("..")) {
            throw InstanceException.invalid("invalid file name '" + JarDirectory.abbreviate(n) + "'",
                    "a file name without '/', '\\' or control characters, at most 255 characters");
        }
        return n;
    }

    private static void checkNotCore(String symbolicName) {
        if (CORE_NAMES.contains(symbolicName) || symbolicName.startsWith("io.midway.agent.")
                || symbolicName.startsWith("io.midway.instance")) {
            throw InstanceException.invalid(symbolicName + " is part of the agent core; it is upgraded, not synced",
                    "file sync carries plug-ins: probes, protocols, credentials and libraries");
        }
    }

    // --- files -----------------------------------------------------------------------------

    private Path jarPath(String sha256) {
        return jars.jarPath(sha256);
    }

    /**
     * At start: moves into the database the bytes an older release kept only in the folder,
     * removes stored jars nothing names, unfinished uploads and cached jars no file names, and
     * reports files whose bytes are missing.
     */
    private void tidy() {
        Map<String, String> named = service.readSerialized(s -> {
            Map<String, String> files = new java.util.LinkedHashMap<>();
            for (StoredSyncFile stored : s.syncFiles()) {
                files.put(stored.file().sha256(), stored.file().symbolicName() + " " + stored.file().version());
            }
            return files;
        });
        jars.adopt(named, service, work -> service.changeSyncFiles(tx -> {
            work.run(tx.session().jars(), tx.now());
            return null;
        }));
        jars.removeUnused(named.keySet(), "file of the repository");
    }
}
