package io.midway.credential.store.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.type.TypeReference;

import io.midway.api.credential.Credential;
import io.midway.api.credential.CredentialResolver;
import io.midway.api.credential.CredentialType;
import io.midway.api.credential.Credentials;
import io.midway.api.credential.store.AffinityEntry;
import io.midway.api.credential.store.CredentialStore;
import io.midway.wire.CredentialRecord;
import io.midway.wire.CredentialSync;
import io.midway.wire.Json;
import io.midway.wire.SealedSecret;
import io.midway.wire.SealedSecretException;

/**
 * The agent's credential store: its key pair, the credentials the instance pushed (written to
 * {@code credentials.json} exactly as received, secrets sealed), which credential last worked
 * for which target ({@code affinity.json}), and the external resolvers present. Offers
 * {@link CredentialStore} to the agent core and {@link Credentials} to probes.
 *
 * <p>Files, in {@code <midway.data>/credentials} unless configured otherwise, all
 * {@code rw-------}: {@code agent.key}, {@code agent.pub}, {@code credentials.json},
 * {@code affinity.json} ({@code {"<type>": {"<target>": "<sys_id>"}}}).
 */
@Component(service = {CredentialStore.class, Credentials.class, CredentialInventory.class}, immediate = true,
        configurationPid = CredentialStoreConfiguration.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = CredentialStoreConfiguration.class)
public class AgentCredentialStore implements CredentialStore, Credentials, CredentialInventory {

    private static final Logger LOG = LoggerFactory.getLogger(AgentCredentialStore.class);

    /** Framework property (from MIDWAY_DATA): the agent's state directory, as the agent core reads it. */
    public static final String DATA_PROPERTY = "midway.data";
    /** State directory when {@value #DATA_PROPERTY} is not set, as in the agent core. */
    public static final String DEFAULT_DATA_DIR = "./data/agent";

    static final String CREDENTIALS_FILE = "credentials.json";
    static final String AFFINITY_FILE = "affinity.json";

    private static final Comparator<StoredCredential> ORDER = Comparator
            .comparing((StoredCredential c) -> c.type().id())
            .thenComparingInt(StoredCredential::order)
            .thenComparing(StoredCredential::name);

    private final Path dir;
    /** The agent's key pair; made in the background at first start (RSA 3072 takes seconds of CPU). */
    private final java.util.concurrent.CompletableFuture<AgentKey> key;
    /** Released when something needs the key pair now (to seal or open a secret). */
    private final java.util.concurrent.CountDownLatch keyWanted = new java.util.concurrent.CountDownLatch(1);
    /** How long after the store starts a missing key pair is made, unless needed sooner. */
    static final long KEY_DELAY_SECONDS = 3;
    private final Map<String, CredentialResolver> resolvers = new ConcurrentHashMap<>();
    private final Object affinityLock = new Object();
    /** type id → target → sys_id; replaced whole under {@link #affinityLock}. */
    private volatile Map<String, Map<String, String>> affinity;
    /**
     * The version of {@link #affinity}: one more with every change, from a random start, so a new
     * run of the store does not repeat a version of the previous one (whose reader may live on).
     */
    private final AtomicLong affinityVersion = new AtomicLong(new java.security.SecureRandom().nextLong());
    private volatile Holdings holdings;

    /** The credentials held, immutable. */
    private record Holdings(CredentialSync sync, List<StoredCredential> usable, Map<String, StoredCredential> byId,
            Map<String, StoredCredential> byName, List<String> unusable) {
    }

    /**
     * Opens the store in the configured directory, making the key pair at first start.
     *
     * @param config the configuration
     * @param context for the framework property {@value #DATA_PROPERTY}
     * @throws IOException when the key pair cannot be read or made, or its private key file is
     *     accessible by group or others
     */
    @Activate
    public AgentCredentialStore(CredentialStoreConfiguration config, BundleContext context) throws IOException {
        this(directory(config.credentials_dir(), context.getProperty(DATA_PROPERTY)));
    }

    /**
     * Opens the store in a directory, making the key pair there at first start.
     *
     * @param dir the credentials directory
     * @throws IOException when the key pair cannot be read or made, or is not private
     */
    AgentCredentialStore(Path dir) throws IOException {
        this.dir = dir;
        try {
            if (AgentKey.exists(dir)) {
                // an existing key is read (and its permissions checked) now: a bad one stops the store
                this.key = java.util.concurrent.CompletableFuture.completedFuture(AgentKey.loadOrCreate(dir));
            } else {
                // Making one takes seconds of CPU (RSA 3072 with the agent's client compiler): not on
                // the framework's start thread, and not while the agent starts: it begins a few seconds
                // after the store, or at once when a secret must be sealed or opened; the registration
                // advertises the key when it is there (publicKey waits without hurrying it)
                this.key = new java.util.concurrent.CompletableFuture<>();
                Thread maker = new Thread(() -> {
                    try {
                        keyWanted.await(KEY_DELAY_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    try {
                        key.complete(AgentKey.loadOrCreate(dir));
                    } catch (IOException e) {
                        LOG.error("Cannot make the agent's key pair in {}: {}", dir, e.getMessage());
                        key.completeExceptionally(new java.io.UncheckedIOException(e));
                    } catch (RuntimeException e) {
                        LOG.error("Cannot make the agent's key pair in {}: {}", dir, e.toString());
                        key.completeExceptionally(e);
                    }
                }, "midway-credential-key");
                maker.setDaemon(true);
                maker.start();
            }
        } catch (IOException e) {
            LOG.error("Credential store not started: {}", e.getMessage());
            throw e;
        }
        this.holdings = load(dir.resolve(CREDENTIALS_FILE));
        this.affinity = loadAffinity(dir.resolve(AFFINITY_FILE));
        LOG.info("Credential store {}: {} credentials, revision '{}', agent key {}", dir,
                holdings.byId().size(), revision(), key.isDone() ? SealedSecret.fingerprint(key().publicKey())
                        : "being made");
    }

    /** @return the agent's key pair, waiting for it while it is being made */
    private AgentKey key() {
        keyWanted.countDown();
        return madeKey();
    }

    /** @return the agent's key pair, waiting for it while it is being made, without hurrying it */
    private AgentKey madeKey() {
        try {
            return key.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IllegalStateException("the agent's key pair could not be made in " + dir + ": "
                    + (e.getCause() == null ? e : e.getCause()).getMessage(), e.getCause());
        }
    }

    /**
     * @param configured the configured directory, or empty
     * @param data the {@value #DATA_PROPERTY} framework property, or {@code null}
     * @return the credentials directory
     */
    static Path directory(String configured, String data) {
        Path dataDir = Path.of(data == null || data.isBlank() ? DEFAULT_DATA_DIR : data.trim());
        String dirName = configured == null ? "" : configured.trim();
        return (dirName.isEmpty() ? dataDir.resolve("credentials") : dataDir.resolve(dirName))
                .toAbsolutePath().normalize();
    }

    // --- external resolvers ---

    @Reference(name = "resolvers", service = CredentialResolver.class, policy = ReferencePolicy.DYNAMIC,
            cardinality = ReferenceCardinality.MULTIPLE, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeResolver", updated = "updateResolver")
    void addResolver(CredentialResolver resolver, Map<String, Object> properties) {
        String name = resolverName(properties);
        if (name == null) {
            LOG.warn("A CredentialResolver without {} is ignored", CredentialResolver.NAME_PROPERTY);
            return;
        }
        resolvers.put(name, resolver);
        LOG.info("External credential resolver '{}' is available", name);
    }

    void updateResolver(CredentialResolver resolver, Map<String, Object> properties) {
        resolvers.values().removeIf(r -> r == resolver);
        addResolver(resolver, properties);
    }

    void removeResolver(CredentialResolver resolver, Map<String, Object> properties) {
        String name = resolverName(properties);
        if (name != null && resolvers.remove(name, resolver)) {
            LOG.info("External credential resolver '{}' went away", name);
        }
    }

    private static String resolverName(Map<String, Object> properties) {
        Object value = properties.get(CredentialResolver.NAME_PROPERTY);
        return value == null || value.toString().isBlank() ? null : value.toString().trim();
    }

    // --- CredentialStore ---

    @Override
    public String publicKey() {
        return SealedSecret.publicKeyText(madeKey().publicKey());
    }

    @Override
    public String revision() {
        String revision = holdings.sync().revision();
        return revision == null ? "" : revision;
    }

    @Override
    public Taken update(String credentialsJson) throws IOException {
        Objects.requireNonNull(credentialsJson, "credentialsJson");
        CredentialSync sync;
        try {
            sync = Json.mapper().readValue(credentialsJson, CredentialSync.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException("the instance's credentials are not the expected JSON: " + e.getOriginalMessage());
        }
        if (sync == null || sync.revision() == null) {
            throw new IOException("the instance's credentials have no revision");
        }
        update(sync);
        return new Taken(revision(), holdings.byId().size());
    }

    /**
     * Replaces every credential held by those of the sync (see {@link #update(String)}).
     *
     * @param sync the instance's reply, read
     * @throws IOException when it is unusable or cannot be written
     */
    public void update(CredentialSync sync) throws IOException {
        Objects.requireNonNull(sync, "sync");
        Holdings next = holdings(sync);
        byte[] json = Json.mapper().writeValueAsBytes(sync);
        synchronized (this) {
            OwnerOnlyFiles.write(dir.resolve(CREDENTIALS_FILE), json);
            holdings = next;
        }
        pruneAffinity(next);
        LOG.info("Credentials revision '{}': {} credentials ({} active){}", revision(), next.byId().size(),
                next.usable().stream().filter(StoredCredential::active).count(),
                next.unusable().isEmpty() ? "" : "; not usable (unknown type): " + next.unusable());
    }

    @Override
    public long affinityVersion() {
        return affinityVersion.get();
    }

    @Override
    public List<AffinityEntry> affinity() {
        List<AffinityEntry> entries = new ArrayList<>();
        affinity.forEach((type, byTarget) -> byTarget.forEach(
                (target, id) -> entries.add(new AffinityEntry(type, target, id))));
        return List.copyOf(entries);
    }

    @Override
    public String encrypt(String value) {
        Objects.requireNonNull(value, "value");
        return ENCRYPTED_PREFIX + SealedSecret.seal(key().publicKey(), value);
    }

    @Override
    public String decrypt(String encrypted) {
        if (encrypted == null || encrypted.isBlank()) {
            throw new IllegalArgumentException("no encrypted value given");
        }
        String text = encrypted.strip();
        if (text.startsWith(ENCRYPTED_PREFIX)) {
            text = text.substring(ENCRYPTED_PREFIX.length());
        }
        try {
            return SealedSecret.openString(key().privateKey(), text);
        } catch (SealedSecretException e) {
            throw new IllegalArgumentException("the encrypted value cannot be decrypted (" + e.getMessage()
                    + "): it was altered, cut, or encrypted with another agent's key; encrypt it again "
                    + "with mid:encrypt on this agent (key " + key().privateFile() + ")");
        }
    }

    // --- Credentials ---

    @Override
    public Optional<Credential> find(String idOrName) {
        return Optional.ofNullable(lookup(idOrName));
    }

    @Override
    public List<Credential> candidates(CredentialType type, String target) {
        Objects.requireNonNull(type, "type");
        String preferred = target == null ? null : affinity.getOrDefault(type.id(), Map.of()).get(target);
        List<StoredCredential> of = new ArrayList<>();
        for (StoredCredential credential : holdings.usable()) {
            if (credential.type() == type && credential.active()) {
                of.add(credential);
            }
        }
        of.sort(Comparator.comparing((StoredCredential c) -> !c.id().equals(preferred))
                .thenComparingInt(StoredCredential::order).thenComparing(StoredCredential::name));
        List<Credential> out = new ArrayList<>(of.size());
        for (StoredCredential credential : of) {
            out.add(target == null ? credential : credential.forTarget(target));
        }
        return out;
    }

    @Override
    public void worked(Credential credential, String target) {
        if (credential == null || target == null) {
            return;
        }
        String typeId = credential.type().id();
        synchronized (affinityLock) {
            if (credential.id().equals(affinity.getOrDefault(typeId, Map.of()).get(target))) {
                return;
            }
            Map<String, Map<String, String>> next = copy(affinity);
            next.computeIfAbsent(typeId, t -> new TreeMap<>()).put(target, credential.id());
            saveAffinity(next);
        }
    }

    // --- CredentialInventory ---

    @Override
    public List<StoredCredential> all() {
        return holdings.byId().values().stream().sorted(ORDER).toList();
    }

    @Override
    public Optional<StoredCredential> credential(String idOrName, String target) {
        StoredCredential credential = lookup(idOrName);
        return Optional.ofNullable(credential == null || target == null ? credential : credential.forTarget(target));
    }

    @Override
    public List<String> unusable() {
        return holdings.unusable();
    }

    @Override
    public Map<String, List<String>> affinityTargets() {
        Map<String, Set<String>> targets = new TreeMap<>();
        affinity.values().forEach(byTarget -> byTarget.forEach(
                (target, id) -> targets.computeIfAbsent(id, i -> new TreeSet<>()).add(target)));
        Map<String, List<String>> out = new TreeMap<>();
        targets.forEach((id, set) -> out.put(id, List.copyOf(set)));
        return out;
    }

    // --- internals ---

    private StoredCredential lookup(String idOrName) {
        if (idOrName == null) {
            return null;
        }
        Holdings now = holdings;
        StoredCredential byId = now.byId().get(idOrName);
        return byId != null ? byId : now.byName().get(idOrName);
    }

    /** Checks a sync and makes the credentials of it. */
    private Holdings holdings(CredentialSync sync) throws IOException {
        Map<String, StoredCredential> byId = new LinkedHashMap<>();
        Map<String, StoredCredential> byName = new LinkedHashMap<>();
        List<StoredCredential> usable = new ArrayList<>();
        List<String> unusable = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int index = 0;
        for (CredentialRecord record : sync.result()) {
            index++;
            if (record == null || record.sysId() == null || record.sysId().isBlank()) {
                throw new IOException("credentials revision '" + sync.revision() + "' rejected: record " + index
                        + " has no sys_id");
            }
            if (record.name() == null || record.name().isBlank()) {
                throw new IOException("credentials revision '" + sync.revision() + "' rejected: credential "
                        + record.sysId() + " has no name");
            }
            if (!ids.add(record.sysId())) {
                throw new IOException("credentials revision '" + sync.revision() + "' rejected: sys_id "
                        + record.sysId() + " appears twice");
            }
            Optional<CredentialType> type = CredentialType.of(record.type());
            if (type.isEmpty()) {
                unusable.add(record.name() + " (" + record.type() + ")");
                continue;
            }
            StoredCredential credential = new StoredCredential(record, type.get(), key().privateKey(),
                    resolvers::get, null);
            usable.add(credential);
            byId.put(record.sysId(), credential);
            byName.putIfAbsent(record.name(), credential);
        }
        usable.sort(ORDER);
        return new Holdings(sync, List.copyOf(usable), Map.copyOf(byId), Map.copyOf(byName), List.copyOf(unusable));
    }

    private Holdings load(Path file) {
        CredentialSync empty = new CredentialSync("", List.of());
        if (!Files.exists(file)) {
            return new Holdings(empty, List.of(), Map.of(), Map.of(), List.of());
        }
        try {
            return holdings(Json.mapper().readValue(Files.readAllBytes(file), CredentialSync.class));
        } catch (IOException e) {
            LOG.error("Cannot read the stored credentials {} ({}); starting with none, the instance sends them "
                    + "again at the next poll", file, e.getMessage());
            return new Holdings(empty, List.of(), Map.of(), Map.of(), List.of());
        }
    }

    private static Map<String, Map<String, String>> loadAffinity(Path file) {
        if (!Files.exists(file)) {
            return Map.of();
        }
        try {
            Map<String, Map<String, String>> read = Json.mapper().readValue(Files.readAllBytes(file),
                    new TypeReference<Map<String, Map<String, String>>>() { });
            return read == null ? Map.of() : copy(read);
        } catch (IOException e) {
            LOG.warn("Cannot read the credential affinity {} ({}); starting without", file, e.getMessage());
            return Map.of();
        }
    }

    /** Forgets affinity to credentials no longer held. */
    private void pruneAffinity(Holdings now) {
        synchronized (affinityLock) {
            Map<String, Map<String, String>> next = copy(affinity);
            boolean changed = false;
            for (Map<String, String> byTarget : next.values()) {
                changed |= byTarget.values().removeIf(id -> !now.byId().containsKey(id));
            }
            changed |= next.values().removeIf(Map::isEmpty);
            if (changed) {
                saveAffinity(next);
            }
        }
    }

    /** Writes the affinity and makes it current; keeps it in memory only when it cannot be written. */
    private void saveAffinity(Map<String, Map<String, String>> next) {
        // the set first, then the version: a reader that reads the version before the set sees
        // at worst a newer set under the older version, and so reports again
        affinity = next;
        affinityVersion.incrementAndGet();
        try {
            OwnerOnlyFiles.write(dir.resolve(AFFINITY_FILE), Json.mapper().writeValueAsBytes(next));
        } catch (IOException e) {
            LOG.warn("Cannot write the credential affinity to {} ({}); it is kept in memory", dir, e.getMessage());
        }
    }

    private static Map<String, Map<String, String>> copy(Map<String, Map<String, String>> from) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        from.forEach((type, byTarget) -> {
            if (type != null && byTarget != null) {
                out.put(type, new TreeMap<>(byTarget));
            }
        });
        return out;
    }

    @Override
    public String toString() {
        return "AgentCredentialStore[" + dir + ", revision '" + revision() + "', " + holdings.byId().size()
                + " credentials]";
    }
}
