package io.midway.agent.internal.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.midway.agent.internal.deploy.DeployFolder;
import io.midway.agent.internal.deploy.DeployJar;
import io.midway.api.agent.PluginBundleDTO;

/**
 * Lists the agent's plug-in bundles: every bundle from file sync, {@code deploy/} or the Web
 * Console's Install dialog, the jars in {@code deploy/} that are not installed (with why), and the
 * distribution's probe, protocol and credential bundles. The hash of a synced bundle is the
 * snapshot's; of the others, the hash of the file at its location ({@link FileHashes}).
 */
public final class PluginBundles {

    private static final List<String> PLUGIN_PREFIXES = List.of("io.midway.probe.", "io.midway.protocol.",
            "io.midway.credential.");

    private final PluginFramework framework;
    private final Supplier<Map<String, SyncState.Installed>> synced;
    private final DeployFolder deploy;
    private volatile Supplier<List<PluginBundleDTO>> refused = List::of;
    private final FileHashes hashes = new FileHashes();

    /**
     * @param framework the bundles
     * @param synced what file sync installed, by symbolic name
     */
    public PluginBundles(PluginFramework framework, Supplier<Map<String, SyncState.Installed>> synced) {
        this(framework, synced, null);
    }

    /**
     * @param framework the bundles
     * @param synced what file sync installed, by symbolic name
     * @param deploy the deploy folder, for the jars it did not install and why; or {@code null}
     */
    public PluginBundles(PluginFramework framework, Supplier<Map<String, SyncState.Installed>> synced,
            DeployFolder deploy) {
        this.framework = framework;
        this.synced = synced;
        this.deploy = deploy;
    }

    /**
     * @param refusals bundles refused after an install from the console or the shell (signatures),
     *            listed as not installed with the reason
     */
    public void refusals(Supplier<List<PluginBundleDTO>> refusals) {
        this.refused = refusals;
    }

    /** @return the plug-in bundles, sorted by symbolic name, then bundle id */
    public PluginBundleDTO[] list() {
        Map<String, SyncState.Installed> fromSync = synced.get();
        Map<String, String> problems = deploy == null ? Map.of() : deploy.problems();
        List<PluginBundleDTO> out = new ArrayList<>();
        for (InstalledBundle b : framework.bundles()) {
            if (b.state() == org.osgi.framework.Bundle.UNINSTALLED) {
                continue;
            }
            PluginBundleDTO dto = switch (b.origin()) {
                case SYNC -> fromSync(b, fromSync.get(BundleOrigins.syncedName(b.location())));
                case DEPLOY -> fromDeploy(b, problems.get(b.location()));
                case DISTRIBUTION -> shippedPlugin(b);
                case CONSOLE -> base(b, PluginBundleDTO.ORIGIN_CONSOLE, kindByName(b));
                default -> null;
            };
            if (dto != null) {
                out.add(dto);
            }
        }
        if (deploy != null) {
            for (Map.Entry<DeployJar, String> jar : deploy.notInstalled().entrySet()) {
                out.add(notInstalled(jar.getKey(), jar.getValue()));
            }
        }
        out.addAll(refused.get());
        out.sort(Comparator.comparing((PluginBundleDTO d) -> d.symbolicName != null ? d.symbolicName : "~" + d.file)
                .thenComparingLong(d -> d.id));
        return out.toArray(PluginBundleDTO[]::new);
    }

    private PluginBundleDTO fromDeploy(InstalledBundle b, String problem) {
        PluginBundleDTO dto = fromFile(b, PluginBundleDTO.ORIGIN_DEPLOY, kindByName(b));
        dto.file = BundleOrigins.file(b.location()).map(f -> f.getFileName().toString()).orElse(null);
        dto.problem = problem;
        return dto;
    }

    private static PluginBundleDTO notInstalled(DeployJar jar, String problem) {
        PluginBundleDTO dto = new PluginBundleDTO();
        dto.id = -1;
        dto.symbolicName = jar.symbolicName();
        dto.version = jar.version();
        dto.origin = PluginBundleDTO.ORIGIN_DEPLOY;
        dto.state = PluginBundleDTO.STATE_NOT_INSTALLED;
        dto.sha256 = jar.sha256().isEmpty() ? null : jar.sha256();
        dto.provides = new String[0];
        dto.file = jar.fileName();
        dto.problem = problem;
        return dto;
    }

    private PluginBundleDTO fromSync(InstalledBundle b, SyncState.Installed installed) {
        PluginBundleDTO dto = base(b, PluginBundleDTO.ORIGIN_SYNC, null);
        dto.kind = installed != null && installed.kind() != null ? installed.kind() : kindByName(b);
        dto.sha256 = installed == null ? null : installed.sha256();
        return dto;
    }

    private PluginBundleDTO shippedPlugin(InstalledBundle b) {
        String kind = kindByName(b);
        return kind == null ? null : fromFile(b, PluginBundleDTO.ORIGIN_DISTRIBUTION, kind);
    }

    private PluginBundleDTO fromFile(InstalledBundle b, String origin, String kind) {
        PluginBundleDTO dto = base(b, origin, kind);
        dto.sha256 = BundleOrigins.file(b.location()).flatMap(this::hash).orElse(null);
        return dto;
    }

    private PluginBundleDTO base(InstalledBundle b, String origin, String kind) {
        PluginBundleDTO dto = new PluginBundleDTO();
        dto.kind = kind;
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
            return Files.isRegularFile(file) ? Optional.of(hashes.sha256(file)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
