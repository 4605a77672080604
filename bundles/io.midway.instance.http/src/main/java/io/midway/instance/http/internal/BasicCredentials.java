package io.midway.instance.http.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * User name and password from an HTTP {@code Authorization: Basic …} header. {@link #toString()}
 * never shows the password.
 */
public final class BasicCredentials {

    private static final String SCHEME = "basic";

    private final String user;
    private final String password;

    /**
     * @param user the user name
     * @param password the password
     */
    public BasicCredentials(String user, String password) {
        this.user = user;
        this.password = password;
    }

    /**
     * @param header the value of the {@code Authorization} header, may be null
     * @return the credentials, or empty when the header is missing, not Basic, or malformed
     */
    public static Optional<BasicCredentials> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String value = header.trim();
        int space = value.indexOf(' ');
        if (space <= 0 || !value.substring(0, space).equalsIgnoreCase(SCHEME)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(value.substring(space + 1).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        return Optional.of(new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
    }

    /** @return the user name */
    public String user() {
        return user;
    }

    /** @return the password; never log it */
    public String password() {
        return password;
    }

    @Override
    public String toString() {
        return "BasicCredentials[user=" + user + ", password=***]";
    }
}
