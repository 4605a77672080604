package io.midway.agent.internal.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.midway.api.agent.PluginBundleDTO;

/**
 * Lists the agent's plug-in bundles: every bundle from file sync or {@code deploy/}, and the
 * distribution's probe, protocol and credential bundles. The hash of a synced bundle is the
 * snapshot's; of the others, the hash of the file at its location (cached while the file's size
 * and time stay the same).
 */
public final class PluginBundles {

    private static final List<String> PLUGIN_PREFIXES = List.of("io.midway.probe.", "io.midway.protocol.",
            "io.midway.credential.");

    private record Hashed(long size, long modified, String sha256) {
    }

    private final PluginFramework framework;
    private final Supplier<Map<String, SyncState.Installed>> synced;
    private final Map<Path, Hashed> hashes = new ConcurrentHashMap<>();

    /**
     * @param framework the bundles
     * @param synced what file sync installed, by symbolic name
     */
    public PluginBundles(PluginFramework framework, Supplier<Map<String, SyncState.Installed>> synced) {
        this.framework = framework;
        this.synced = synced;
    }

    /** @return the plug-in bundles, sorted by symbolic name, then bundle id */
    public PluginBundleDTO[] list() {
        Map<String, SyncState.Installed> fromSync = synced.get();
        List<PluginBundleDTO> out = new ArrayList<>();
        for (InstalledBundle b : framework.bundles()) {
            if (b.state() == org.osgi.framework.Bundle.UNINSTALLED) {
                continue;
            }
            PluginBundleDTO dto = switch (b.origin()) {
                case SYNC -> fromSync(b, fromSync.get(BundleOrigins.syncedName(b.location())));
                case DEPLOY -> fromFile(b, PluginBundleDTO.ORIGIN_DEPLOY, kindByName(b));
                case DISTRIBUTION -> shippedPlugin(b);
                default -> null;
            };
            if (dto != null) {
                out.add(dto);
            }
        }
        out.sort(Comparator.comparing((PluginBundleDTO d) -> String.valueOf(d.symbolicName))
                .thenComparingLong(d -> d.id));
        return out.toArray(PluginBundleDTO[]::new);
    }

    private PluginBundleDTO fromSync(InstalledBundle b, SyncState.Installed installed) {
        PluginBundleDTO dto = base(b, PluginBundleDTO.ORIGIN_SYNC);
        dto.kind = installed != null && installed.kind() != null ? installed.kind() : kindByName(b);
        dto.sha256 = installed == null ? null : installed.sha256();
        return dto;
    }

    private PluginBundleDTO shippedPlugin(InstalledBundle b) {
        String kind = kindByName(b);
        return kind == null ? null : fromFile(b, PluginBundleDTO.ORIGIN_DISTRIBUTION, kind);
    }

    private PluginBundleDTO fromFile(InstalledBundle b, String origin, String kind) {
        PluginBundleDTO dto = base(b, origin);
        dto.kind = kind;
        dto.sha256 = BundleOrigins.file(b.location()).flatMap(this::hash).orElse(null);
        return dto;
    }

    private PluginBundleDTO base(InstalledBundle b, String origin) {
        PluginBundleDTO dto = new PluginBundleDTO();
        dto.id = b.id();
        dto.symbolicName = b.symbolicName();
        dto.version = b.version();
        dto.origin = origin;
        dto.state = InstalledBundle.stateName(b.state());
        dto.provides = framework.provides(b.id()).toArray(String[]::new);
        return dto;
    }

    /** The kind by naming convention ({@code io.midway.probe.*} …), else by the services it provides. */
    private String kindByName(InstalledBundle b) {
        String name = b.symbolicName() == null ? "" : b.symbolicName();
        for (String prefix : PLUGIN_PREFIXES) {
            if (name.startsWith(prefix)) {
                return prefix.substring("io.midway.".length(), prefix.length() - 1);
            }
        }
        return framework.pluginKind(b.id());
    }

    private Optional<String> hash(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            long size = Files.size(file);
            long modified = Files.getLastModifiedTime(file).toMillis();
            Hashed known = hashes.get(file);
            if (known != null && known.size() == size && known.modified() == modified) {
                return Optional.of(known.sha256());
            }
            String sha = Sha256.of(file);
            hashes.put(file, new Hashed(size, modified, sha));
            return Optional.of(sha);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
