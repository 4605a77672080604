package io.midway.instance.internal;

import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.StoreEngine;
import io.midway.instance.store.StoreException;

/**
 * Chooses the database engine by configuration, never by code: {@code midway.db.url}
 * (MIDWAY_DB_URL) names a database server of an engine that accepts it (PostgreSQL); unset, the
 * embedded H2 in {@code <midway.data>/db}. When the engine's bundle registers its
 * {@link StoreEngine}, this opens the store (the password may be an {@code encrypted:} value of
 * {@code instance:encrypt}) and registers it as the {@link InstanceStore} service the
 * {@link InstanceCore} needs; it closes it when the engine goes or the instance stops.
 */
@Component(immediate = true)
public class StoreProvider {

    private static final Logger LOG = LoggerFactory.getLogger(StoreProvider.class);

    private final BundleContext context;
    private final String url;
    private StoreEngine engine;
    private InstanceStore store;
    private ServiceRegistration<InstanceStore> registration;
    private boolean stopped;

    /**
     * @param context the bundle context, for the framework properties
     */
    @Activate
    public StoreProvider(BundleContext context) {
        this.context = context;
        String configured = context.getProperty(InstanceCore.DB_URL_PROPERTY);
        this.url = configured == null || configured.isBlank() ? null : configured.trim();
    }

    /** @param candidate an engine whose bundle started */
    @Reference(name = "engines", service = StoreEngine.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeEngine")
    synchronized void addEngine(StoreEngine candidate) {
        if (stopped || engine != null || !candidate.accepts(url)) {
            return;
        }
        Path data = InstanceCore.dataDirectory(context);
        String password;
        try {
            password = url == null ? null : ConfigurationSecrets.reveal(data.resolve(CredentialCipher.KEY_FILE),
                    "MIDWAY_DB_PASSWORD", context.getProperty(InstanceCore.DB_PASSWORD_PROPERTY));
        } catch (IllegalArgumentException e) {
            LOG.error("Cannot open the instance database {}: {}", url, e.getMessage());
            return;
        }
        try {
            store = candidate.open(new StoreEngine.Location(data, url, context.getProperty(InstanceCore.DB_USER_PROPERTY),
                    password));
        } catch (StoreException e) {
            LOG.error("{}", e.getMessage());
            return;
        }
        engine = candidate;
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(StoreEngine.NAME, candidate.name());
        registration = context.registerService(InstanceStore.class, store, properties);
    }

    /** @param gone an engine whose bundle stops */
    synchronized void removeEngine(StoreEngine gone) {
        if (gone == engine) {
            close();
        }
    }

    /** Unregisters and closes the store. */
    @Deactivate
    synchronized void stop() {
        stopped = true;
        close();
    }

    private void close() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                LOG.debug("The store was unregistered already");
            }
            registration = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
        engine = null;
    }
}
