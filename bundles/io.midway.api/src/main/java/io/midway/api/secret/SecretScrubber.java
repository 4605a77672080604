package io.midway.api.secret;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces the secrets a probe opened for one run (a password, a token, an Authorization value, a
 * private key, a passphrase) by {@value #MASK} wherever they would reach a result, an exception
 * message or a log line: a server that echoes the request's headers, a remote command that prints
 * its input, a driver that quotes the connection string.
 *
 * <pre>
 * String password = credential.secret("password");
 * SecretScrubber scrubber = SecretScrubber.of(password, basicHeaderValue);
 * ...
 * throw new ProbeException(scrubber.scrub(e.getMessage()));
 * </pre>
 *
 * <p>Rules: {@code null} and empty secrets are ignored and duplicates kept once; the longest secret
 * is replaced first (so a secret that contains another is masked whole); a secret that spans several
 * lines (a PEM key) also counts line by line for each trimmed line of at least
 * {@value #MIN_LINE_LENGTH} characters, since the remote side may print it with other line ends.
 *
 * <p>A scrubber is immutable and safe to share between threads; {@link #and(String...)} gives a new
 * one with more secrets. Its {@link #toString()} names only the number of secrets.
 */
public final class SecretScrubber {

    /** What a secret is replaced with. */
    public static final String MASK = "********";

    /** A line of a multi-line secret counts on its own from this many characters (trimmed). */
    public static final int MIN_LINE_LENGTH = 16;

    /** Scrubs nothing: for a run that opened no secret. */
    public static final SecretScrubber NONE = new SecretScrubber(List.of());

    private static final byte[] MASK_BYTES = MASK.getBytes(StandardCharsets.US_ASCII);

    /** longest first, no duplicates */
    private final List<String> secrets;

    private SecretScrubber(List<String> secrets) {
        this.secrets = secrets;
    }

    /**
     * @param secrets the secret values; {@code null} and empty ones are ignored
     * @return a scrubber for them
     */
    public static SecretScrubber of(String... secrets) {
        return NONE.and(secrets);
    }

    /**
     * @param more further secrets; {@code null} and empty ones are ignored
     * @return a scrubber for this one's secrets and these; this one if nothing new is added
     */
    public SecretScrubber and(String... more) {
        List<String> list = new ArrayList<>(secrets);
        if (more != null) {
            for (String secret : more) {
                if (secret == null || secret.isEmpty()) {
                    continue;
                }
                addOnce(list, secret);
                for (String line : secret.split("\\R")) {
                    String trimmed = line.trim();
                    if (trimmed.length() >= MIN_LINE_LENGTH) {
                        addOnce(list, trimmed);
                    }
                }
            }
        }
        if (list.size() == secrets.size()) {
            return this;
        }
        list.sort((a, b) -> b.length() - a.length());
        return new SecretScrubber(List.copyOf(list));
    }

    private static void addOnce(List<String> list, String secret) {
        if (!list.contains(secret)) {
            list.add(secret);
        }
    }

    /** @return whether this scrubber has no secret to replace */
    public boolean isEmpty() {
        return secrets.isEmpty();
    }

    /**
     * @param text any text, or {@code null}
     * @return the text with every secret replaced by {@value #MASK}; {@code null} for {@code null}
     */
    public String scrub(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, MASK);
        }
        return result;
    }

    /**
     * @param bytes any bytes, for example a response body, or {@code null}
     * @return the bytes with every secret's UTF-8 form replaced by {@value #MASK}; the same array if
     *         none occurs; {@code null} for {@code null}
     */
    public byte[] scrub(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        byte[] result = bytes;
        for (String secret : secrets) {
            result = replace(result, secret.getBytes(StandardCharsets.UTF_8));
        }
        return result;
    }

    private static byte[] replace(byte[] data, byte[] target) {
        ByteArrayOutputStream out = null;
        int copied = 0;
        for (int i = 0; i <= data.length - target.length; i++) {
            if (matches(data, i, target)) {
                if (out == null) {
                    out = new ByteArrayOutputStream(data.length);
                }
                out.write(data, copied, i - copied);
                out.write(MASK_BYTES, 0, MASK_BYTES.length);
                i += target.length - 1;
                copied = i + 1;
            }
        }
        if (out == null) {
            return data;
        }
        out.write(data, copied, data.length - copied);
        return out.toByteArray();
    }

    private static boolean matches(byte[] data, int at, byte[] target) {
        for (int j = 0; j < target.length; j++) {
            if (data[at + j] != target[j]) {
                return false;
            }
        }
        return true;
    }

    /** @return the number of secrets only, never a secret */
    @Override
    public String toString() {
        return "SecretScrubber[" + secrets.size() + " secret(s)]";
    }
}
