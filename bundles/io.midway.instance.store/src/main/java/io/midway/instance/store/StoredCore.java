package io.midway.instance.store;

import io.midway.wire.InstanceInfo;

/**
 * An agent core jar as stored.
 *
 * @param core the core
 * @param uploadedOn when its bytes were uploaded, wire format
 * @param downloads how often agents fetched these bytes completely
 */
public record StoredCore(InstanceInfo.Core core, String uploadedOn, long downloads) {
}
