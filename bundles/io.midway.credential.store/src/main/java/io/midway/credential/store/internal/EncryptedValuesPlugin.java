package io.midway.credential.store.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Dictionary;
import java.util.List;
import java.util.Optional;

import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationPlugin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.credential.store.CredentialStore;

/**
 * Opens {@code encrypted:} values of every configuration on its way to a component, so that any
 * configuration file of the agent ({@code etc/*.cfg}) may hold a secret made with
 * {@code mid:encrypt}, and the file, Config Admin's store and the Web Console keep only the
 * encrypted text. The component gets the clear value; nothing is written back.
 *
 * <p>A value that does not open (altered, or encrypted on another agent) is left as it is and
 * logged with its PID and property name, never its text, so the component fails where it uses
 * it with its own message.
 */
@Component(service = ConfigurationPlugin.class, property = ConfigurationPlugin.CM_RANKING + ":Integer=0")
public final class EncryptedValuesPlugin implements ConfigurationPlugin {

    private static final Logger LOG = LoggerFactory.getLogger(EncryptedValuesPlugin.class);

    private final CredentialStore store;

    /**
     * @param store opens the values with this agent's key
     */
    @Activate
    public EncryptedValuesPlugin(@Reference(name = "store") CredentialStore store) {
        this.store = store;
    }

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        for (String key : Collections.list(properties.keys())) {
            Object value = properties.get(key);
            if (value instanceof String && CredentialStore.isEncrypted((String) value)) {
                open(properties, key, (String) value).ifPresent(clear -> properties.put(key, clear));
            } else if (value instanceof String[]) {
                String[] values = ((String[]) value).clone();
                boolean changed = false;
                for (int i = 0; i < values.length; i++) {
                    if (CredentialStore.isEncrypted(values[i])) {
                        Optional<String> clear = open(properties, key + "[" + i + "]", values[i]);
                        if (clear.isPresent()) {
                            values[i] = clear.get();
                            changed = true;
                        }
                    }
                }
                if (changed) {
                    properties.put(key, values);
                }
            } else if (value instanceof Collection) {
                List<Object> values = new ArrayList<>((Collection<?>) value);
                boolean changed = false;
                for (int i = 0; i < values.size(); i++) {
                    Object one = values.get(i);
                    if (one instanceof String && CredentialStore.isEncrypted((String) one)) {
                        Optional<String> clear = open(properties, key + "[" + i + "]", (String) one);
                        if (clear.isPresent()) {
                            values.set(i, clear.get());
                            changed = true;
                        }
                    }
                }
                if (changed) {
                    properties.put(key, values);
                }
            }
        }
    }

    private Optional<String> open(Dictionary<String, Object> properties, String key, String encrypted) {
        try {
            return Optional.of(store.decrypt(encrypted));
        } catch (IllegalArgumentException e) {
            LOG.warn("Configuration {} property {} is encrypted but does not open: {}", properties.get(Constants.SERVICE_PID), key,
                    e.getMessage());
            return Optional.empty();
        }
    }
}
