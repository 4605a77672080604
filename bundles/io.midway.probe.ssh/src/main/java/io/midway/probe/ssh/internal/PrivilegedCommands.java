package io.midway.probe.ssh.internal;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.midway.api.probe.ProbeException;

/**
 * The privileged commands rule of the SSHCommand probe: which commands run through {@code sudo}.
 *
 * <p>A command is elevated when its program (its first word: a name, or an absolute path whose
 * file name is compared) is on the list ({@code privileged.commands}, central name
 * {@value #SETTING}) <em>and</em> the credential allows sudo ({@code sudo=true}). A payload may ask
 * for it ({@code "sudo": true}: then both conditions must hold, or the probe fails naming the rule
 * broken) or refuse it ({@code "sudo": false}). Anything else never uses sudo: a listed command
 * with a credential without sudo runs unprivileged, as the MID Server does. A command that would
 * be elevated but holds a shell operator ({@code ; & | $ ` ( ) < >}, a line break) is refused, so
 * that nothing but the listed program runs as root. The elevated command line is
 * {@code sudo -n -- <command>}: sudo never asks for a password, and none is ever sent.
 *
 * <p>Immutable and thread-safe; pure, so that it is tested without a server.
 */
final class PrivilegedCommands {

    /** The central setting that fills the list. */
    static final String SETTING = "probe.ssh.privileged.commands";

    /** What is put before an elevated command. */
    static final String SUDO_PREFIX = "sudo -n -- ";

    /** The characters that make a command line more than one program with its arguments. */
    private static final String SHELL_OPERATORS = ";&|$`()<>\n\r";

    private final Set<String> names;

    private PrivilegedCommands(Set<String> names) {
        this.names = names;
    }

    /**
     * @param list the configured list: command names (or absolute paths) separated by commas or
     *     white space; {@code null} or blank for none
     * @return the rule over that list
     * @throws IllegalArgumentException for an entry that is not a plain program name or an
     *     absolute path (holds a shell operator, a quote, or is relative with a slash)
     */
    static PrivilegedCommands of(String list) {
        Set<String> names = new LinkedHashSet<>();
        if (list != null) {
            for (String entry : list.split("[,\\s]+")) {
                if (entry.isEmpty()) {
                    continue;
                }
                if (entry.chars().anyMatch(c -> SHELL_OPERATORS.indexOf(c) >= 0 || c == '\'' || c == '"' || c == '\\' || c < ' ')
                        || (entry.indexOf('/') >= 0 && !entry.startsWith("/")) || entry.endsWith("/")) {
                    throw new IllegalArgumentException("privileged.commands (" + SETTING + ") must list command names or absolute "
                            + "paths separated by commas, e.g. id,dmidecode,lsof; '" + entry + "' is neither");
                }
                names.add(entry);
            }
        }
        return new PrivilegedCommands(Set.copyOf(names));
    }

    /** @return the listed names, sorted, for messages and logs */
    List<String> names() {
        return names.stream().sorted().toList();
    }

    /**
     * Whether a program is on the list: its name, or the file name of an absolute path, is listed,
     * or the absolute path itself is. A relative path with a slash ({@code ./id}) never is.
     */
    boolean lists(String program) {
        if (names.contains(program)) {
            return true;
        }
        if (program.startsWith("/") && !program.endsWith("/")) {
            String fileName = program.substring(program.lastIndexOf('/') + 1);
            return names.contains(fileName);
        }
        return false;
    }

    /**
     * @param command a command line
     * @return its program: the first word, ended by white space or a shell operator ({@code id;} is {@code id})
     */
    static String program(String command) {
        String trimmed = command.strip();
        int end = 0;
        while (end < trimmed.length() && !Character.isWhitespace(trimmed.charAt(end)) && SHELL_OPERATORS.indexOf(trimmed.charAt(end)) < 0) {
            end++;
        }
        return trimmed.substring(0, end);
    }

    /** @return whether the command line holds a shell operator or a line break */
    static boolean hasShellOperator(String command) {
        return command.chars().anyMatch(c -> SHELL_OPERATORS.indexOf(c) >= 0);
    }

    /**
     * Checks what the payload asks before any credential is tried.
     *
     * @param command the payload's command
     * @param asked the payload's {@code sudo}: {@code TRUE}, {@code FALSE} or {@code null} (absent)
     * @throws ProbeException when sudo is asked for a command that is not on the list or holds a
     *     shell operator, or the command calls sudo itself without the payload asking
     */
    void check(String command, Boolean asked) throws ProbeException {
        String program = program(command);
        if (program.equals("sudo") || program.endsWith("/sudo")) {
            throw new ProbeException("the command calls sudo itself: give the command alone and \"sudo\": true in the payload; "
                    + "sudo is used only for a command on the privileged commands list (" + SETTING + ") with a credential "
                    + "that allows sudo");
        }
        if (Boolean.TRUE.equals(asked)) {
            if (!lists(program)) {
                throw new ProbeException("'" + program + "' is not on the privileged commands list (" + SETTING + "): "
                        + describeList());
            }
            refuseShellOperators(command, program);
        }
    }

    /**
     * Decides for one credential.
     *
     * @param command the payload's command
     * @param asked the payload's {@code sudo}, or {@code null}
     * @param credentialName the credential's name, for messages
     * @param credentialAllows the credential's {@code sudo} flag
     * @return whether the command runs through sudo with this credential
     * @throws CredentialRefusal when the payload asks for sudo and the credential does not allow it
     * @throws ProbeException when the command would be elevated but holds a shell operator
     */
    boolean elevate(String command, Boolean asked, String credentialName, boolean credentialAllows) throws ProbeException {
        if (Boolean.FALSE.equals(asked)) {
            return false;
        }
        String program = program(command);
        if (!lists(program)) {
            return false; // check() refused an asked sudo already
        }
        if (!credentialAllows) {
            if (Boolean.TRUE.equals(asked)) {
                throw new CredentialRefusal("credential '" + credentialName + "' does not allow sudo (its field sudo is not true)");
            }
            return false;
        }
        refuseShellOperators(command, program);
        return true;
    }

    /**
     * @param value a credential's {@code sudo} field, or {@code null}
     * @return whether it says {@code true} (any case); anything else, or nothing, is false
     */
    static boolean allows(String value) {
        return value != null && value.strip().toLowerCase(Locale.ROOT).equals("true");
    }

    private void refuseShellOperators(String command, String program) throws ProbeException {
        if (hasShellOperator(command)) {
            throw new ProbeException("'" + program + "' is a privileged command, but the command line holds a shell operator "
                    + "(; & | $ ` ( ) < > or a line break): a privileged command runs alone, with plain arguments, and is "
                    + "never run with sudo otherwise");
        }
    }

    private String describeList() {
        return names.isEmpty() ? "the list is empty, so nothing runs with sudo" : "the list is " + String.join(",", names());
    }

    @Override
    public String toString() {
        return names.isEmpty() ? "(none)" : String.join(",", names());
    }

    /** The payload asked for sudo and this credential does not allow it: another candidate may. */
    static final class CredentialRefusal extends ProbeException {

        private static final long serialVersionUID = 1L;

        CredentialRefusal(String message) {
            super(message);
        }
    }
}
