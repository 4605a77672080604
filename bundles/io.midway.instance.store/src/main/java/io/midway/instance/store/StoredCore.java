package io.midway.instance.store;

import io.midway.instance.api.InstanceDescription;

/**
 * An agent core jar as stored.
 *
 * @param core the core
 * @param uploadedOn when its bytes were uploaded, wire format
 * @param downloads how often agents fetched these bytes completely
 */
public record StoredCore(InstanceDescription.Core core, String uploadedOn, long downloads) {
}
