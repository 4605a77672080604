package io.midway.instance.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The file-sync repository: the plug-in bundles (probes, protocols, credential stores) agents
 * install, with the revision that changes with every change of the set.
 */
@ProviderType
public interface FileRepository {
    /** The largest jar accepted: 64 MiB. */
    long MAX_FILE_BYTES = 64L * 1024 * 1024;


    /**
     * The outcome of an upload.
     *
     * @param file the file as stored
     * @param changed whether the set changed (new file, new bytes, or a new kind or name); {@code false}
     *     when the same bytes were already there as they are
     * @param revision the revision after the upload
     */
    record Upload(RepositoryFile file, boolean changed, String revision) {
    }

    /**
     * The outcome of a removal.
     *
     * @param file the file removed
     * @param revision the revision after it
     */
    record Removal(RepositoryFile file, String revision) {
    }

    /**
     * A file of the repository as admins see it.
     *
     * @param file the file
     * @param uploadedOn when its bytes were uploaded, wire format
     * @param downloads how often agents fetched these bytes since the instance started
     */
    record Listed(RepositoryFile file, String uploadedOn, long downloads) {
    }

    /**
     * The repository as admins see it.
     *
     * @param revision the current revision
     * @param files every file, by symbolic name
     */
    record Listing(String revision, List<Listed> files) {
    }

    /**
     * The bytes of one file, opened for reading. The caller closes the stream.
     *
     * @param file the file
     * @param bytes its bytes
     */
    record Download(RepositoryFile file, InputStream bytes) {
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
    Upload upload(InputStream body, long declaredLength, String kind, String requestedName) throws IOException;

    /**
     * Removes the file of a symbolic name.
     *
     * @param symbolicName the Bundle-SymbolicName
     * @return the file removed and the new revision
     * @throws InstanceException 404 when there is no such file
     */
    Removal delete(String symbolicName);

    /** @return the current revision */
    String revision();

    /** @return what every agent should have, files sorted by symbolic name */
    SyncFiles snapshot();

    /** @return the files with their upload time and download count, and the revision */
    Listing listing();

    /**
     * @param symbolicName a Bundle-SymbolicName
     * @return its file with upload time and download count
     */
    Optional<Listed> file(String symbolicName);

    /**
     * Opens the bytes of a current file.
     *
     * @param sha256 the hash from the request path
     * @return the file and its bytes
     * @throws InstanceException 400 when it is not 64 hex digits, 404 when no current file has it
     */
    Download open(String sha256);

    /** @param sha256 the hash of a file an agent fetched completely */
    void downloaded(String sha256);

}
