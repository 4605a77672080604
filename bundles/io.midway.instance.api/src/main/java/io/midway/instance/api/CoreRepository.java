package io.midway.instance.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The agent cores agents upgrade to in place; uploading one makes its version the instance version.
 */
@ProviderType
public interface CoreRepository {
    /** The largest jar accepted: 64 MiB. */
    long MAX_CORE_BYTES = 64L * 1024 * 1024;


    /**
     * The outcome of an upload.
     *
     * @param core the core as stored, now the instance's
     * @param previousVersion the instance version before the upload
     */
    record Published(InstanceDescription.Core core, String previousVersion) {
    }

    /**
     * A stored core as admins see it.
     *
     * @param core the core
     * @param uploadedOn when its bytes were uploaded, wire format
     * @param downloads how often agents fetched these bytes completely
     */
    record Listed(InstanceDescription.Core core, String uploadedOn, long downloads) {
    }

    /**
     * What admins see of the upgrade.
     *
     * @param version the instance version
     * @param core the stored core of that version, or {@code null}
     * @param cores every stored core, oldest version first
     */
    record Overview(String version, Listed core, List<Listed> cores) {
    }

    /**
     * The bytes of one core, opened for reading. The caller closes the stream.
     *
     * @param core the core
     * @param bytes its bytes
     */
    record Download(InstanceDescription.Core core, InputStream bytes) {
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
    Published upload(InputStream body, long declaredLength) throws IOException;

    /** @return the instance version, its core, and every stored core with its downloads */
    Overview overview();

    /** @return every stored core, oldest version first */
    List<InstanceDescription.Core> cores();

    /**
     * Opens the bytes of a stored core.
     *
     * @param sha256 the hash from the request path
     * @return the core and its bytes
     * @throws InstanceException 400 when it is not 64 hex digits, 404 when no stored core has it
     */
    Download open(String sha256);

    /** @param sha256 the hash of a core an agent fetched completely */
    void downloaded(String sha256);

}
