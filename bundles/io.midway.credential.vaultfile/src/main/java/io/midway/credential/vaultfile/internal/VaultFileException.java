package io.midway.credential.vaultfile.internal;

/**
 * The vault file cannot be used: missing, open to group or others, not JSON, too large. The
 * message names the file and says what to do; it never contains the file's content.
 */
final class VaultFileException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong with the file and how to fix it, without its content
     */
    VaultFileException(String message) {
        super(message);
    }
}
