package io.midway.agent.internal.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationPlugin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.wire.AgentConfigSnapshot;
import io.midway.wire.AgentSettingCatalog;
import io.midway.wire.AgentSettingSpec;
import io.midway.wire.ConfigReport;

/**
 * Lays the settings from the instance over every configuration Config Admin delivers on this agent
 * (a {@link ConfigurationPlugin}: the stored configuration, from the {@code etc/} file or the Web
 * Console, is never changed, so removing a value on the instance brings the file's back), and
 * delivers a pid again when its values from the instance change. The components then take the new
 * values as any configuration change: the agent core and its pools without a restart.
 */
@Component(service = {ConfigurationPlugin.class, CentralConfiguration.class},
        property = ConfigurationPlugin.CM_RANKING + ":Integer=0")
public final class CentralConfigurationPlugin implements ConfigurationPlugin, CentralConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(CentralConfigurationPlugin.class);
    private static final Set<String> ENVIRONMENT_KEYS = Set.of("instance.url", "agent.name", "agent.user",
            "agent.password");
    private static final Map<String, String> ENVIRONMENT_PROPERTIES = Map.of("instance.url", "midway.instance.url",
            "agent.name", "midway.agent.name", "agent.user", "midway.agent.user", "agent.password",
            "midway.agent.password");

    private final ConfigurationAdmin configurationAdmin;
    private final BundleContext context;
    private final CentralSettings settings;

    /**
     * Loads the settings kept from the last run and delivers them at once.
     *
     * @param context for the data folder
     * @param configurationAdmin the configurations to lay the values over
     */
    @Activate
    public CentralConfigurationPlugin(BundleContext context, @Reference ConfigurationAdmin configurationAdmin) {
        this.context = context;
        this.configurationAdmin = configurationAdmin;
        String data = context.getProperty("midway.data");
        Path dir = Path.of(data == null || data.isBlank() ? "./data/agent" : data.trim());
        this.settings = new CentralSettings(dir.resolve(CentralSettings.FILE));
        Set<String> pids = new LinkedHashSet<>();
        for (String name : settings.values().keySet()) {
            AgentSettingCatalog.find(name).ifPresent(spec -> pids.add(spec.pid()));
        }
        deliver(pids);
    }

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        Object pid = properties.get(Constants.SERVICE_PID);
        if (pid instanceof String p) {
            settings.overlay(p).forEach(properties::put);
        }
    }

    @Override
    public String revision() {
        return settings.revision();
    }

    @Override
    public CentralSettings.Outcome apply(AgentConfigSnapshot snapshot) throws IOException {
        CentralSettings.Outcome outcome = settings.apply(snapshot);
        deliver(outcome.changedPids());
        return outcome;
    }

    @Override
    public List<ConfigReport.Error> errors() {
        return settings.errors();
    }

    @Override
    public Map<String, CentralSettings.Value> values() {
        return settings.values();
    }

    /** Has Config Admin deliver each pid again, so that this plugin lays the new values over it. */
    private void deliver(Set<String> pids) {
        for (String pid : pids) {
            try {
                Configuration[] found = configurationAdmin.listConfigurations(
                        "(" + Constants.SERVICE_PID + "=" + pid + ")");
                if (found != null && found.length > 0) {
                    for (Configuration c : found) {
                        Dictionary<String, Object> stored = c.getProperties();
                        // the stored properties, unchanged: only the delivered copy carries ours
                        c.update(stored == null ? new Hashtable<>() : stored);
                    }
                } else if (!settings.overlay(pid).isEmpty()) {
                    // no etc/ file and no console edit: an empty configuration to lay the values over
                    configurationAdmin.getConfiguration(pid, "?").update(new Hashtable<>());
                }
            } catch (IOException | InvalidSyntaxException | RuntimeException e) {
                LOG.warn("Cannot deliver the settings from the instance for {}: {}", pid, e.toString());
            }
        }
    }

    @Override
    public List<AgentConfigSnapshot.Setting> effective() {
        Map<String, CentralSettings.Value> central = settings.values();
        // each pid's stored configuration, looked up once per call (null: none)
        Map<String, Dictionary<String, Object>> storedByPid = new HashMap<>();
        List<AgentConfigSnapshot.Setting> out = new ArrayList<>();
        for (AgentSettingSpec spec : AgentSettingCatalog.all()) {
            boolean secret = spec.key().contains("password");
            String name = spec.name();
            if (spec.pid().equals(AgentSettingCatalog.AGENT_PID) && ENVIRONMENT_KEYS.contains(spec.key())) {
                String fromEnvironment = context.getProperty(ENVIRONMENT_PROPERTIES.get(spec.key()));
                if (fromEnvironment != null && !fromEnvironment.isBlank()) {
                    out.add(new AgentConfigSnapshot.Setting(name, secret ? "set" : fromEnvironment.trim(),
                            "environment"));
                    continue;
                }
            }
            CentralSettings.Value value = central.get(name);
            if (value != null) {
                out.add(new AgentConfigSnapshot.Setting(name, value.value(), value.source()));
                continue;
            }
            if (!storedByPid.containsKey(spec.pid())) {
                storedByPid.put(spec.pid(), stored(spec.pid()));
            }
            Dictionary<String, Object> stored = storedByPid.get(spec.pid());
            Object configured = stored == null ? null : stored.get(spec.key());
            String text = configured == null ? null : configured instanceof String[] array
                    ? String.join(",", array) : configured.toString().trim();
            if (text != null && !text.isEmpty()) {
                boolean file = stored.get(EffectiveConfiguration.FILEINSTALL_FILENAME) != null;
                out.add(new AgentConfigSnapshot.Setting(name, secret ? "set" : text, file ? "file" : "console"));
            } else {
                out.add(new AgentConfigSnapshot.Setting(name, secret ? "not set" : spec.defaultValue(), "default"));
            }
        }
        return Collections.unmodifiableList(out);
    }

    private Dictionary<String, Object> stored(String pid) {
        try {
            Configuration[] found = configurationAdmin.listConfigurations("(" + Constants.SERVICE_PID + "=" + pid + ")");
            return found == null || found.length == 0 ? null : found[0].getProperties();
        } catch (IOException | InvalidSyntaxException e) {
            return null;
        }
    }
}
