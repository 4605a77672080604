package io.midway.credential.store.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialType;
import io.midway.console.support.shell.CommandUsage;

/**
 * The {@code mid:credentials} and {@code mid:encrypt} Gogo commands ({@code mid:credential-test}
 * is {@link CredentialTestCommand}, as a Java method name cannot hold a dash). They never show a
 * secret.
 */
@Component(service = CredentialCommands.class, property = {
    "osgi.command.scope=mid",
    "osgi.command.function=credentials",
    "osgi.command.function=encrypt",
})
public class CredentialCommands {

    private final CredentialInventory store;

    /** @param store the agent's credential store */
    @Activate
    public CredentialCommands(@Reference(name = "store") CredentialInventory store) {
        this.store = store;
    }

    /** @return a table of the credentials held, without any secret */
    @Descriptor("list the credentials the instance pushed to this agent: name, sys_id, type, order, active, "
            + "external resolver, and the targets each worked for last (affinity); never a secret")
    public String credentials() {
        List<StoredCredential> all = store.all();
        Map<String, List<String>> affinity = store.affinityTargets();
        String revision = store.revision();
        StringBuilder out = new StringBuilder();
        out.append(all.size()).append(all.size() == 1 ? " credential" : " credentials").append(", revision ")
                .append(revision.isEmpty() ? "(none received yet)" : "'" + revision + "'").append('\n');
        if (!all.isEmpty()) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"NAME", "SYS_ID", "TYPE", "ORDER", "ACTIVE", "EXTERNAL", "AFFINITY"});
            for (StoredCredential credential : all) {
                List<String> targets = affinity.getOrDefault(credential.id(), List.of());
                rows.add(new String[] {credential.name(), credential.id(), credential.type().id(),
                    Integer.toString(credential.order()), credential.active() ? "yes" : "no",
                    credential.external() ? credential.record().resolver() : "-",
                    targets.isEmpty() ? "-" : String.join(",", targets)});
            }
            out.append(table(rows));
        }
        List<String> unusable = store.unusable();
        if (!unusable.isEmpty()) {
            out.append("Not usable (unknown type): ").append(String.join(", ", unusable)).append('\n');
        }
        out.append("Test one with mid:credential-test <id|name> <target>.");
        return out.toString();
    }

    /**
     * Reads the value from the session's input, so it stays out of the shell history.
     *
     * @param session the shell session
     * @return {@code encrypted:<text>}, or why it could not
     * @throws IOException when the input cannot be read
     */
    @Descriptor("encrypt a value for a configuration file of this agent (e.g. agent.password): prints "
            + "encrypted:<text>, which only this agent's key opens. Without an argument it reads the value "
            + "from one input line, so it stays out of the shell history")
    public String encrypt(CommandSession session) throws IOException {
        PrintStream console = session == null ? null : session.getConsole();
        if (console != null) {
            console.print("Value to encrypt (one line; not kept in the shell history): ");
            console.flush();
        }
        InputStream in = session == null ? null : session.getKeyboard();
        if (in == null) {
            return "No input to read the value from: give it as mid:encrypt <value>";
        }
        String value = readLine(in);
        if (value == null || value.isEmpty()) {
            return "Nothing encrypted: the value is empty";
        }
        return store.encrypt(value);
    }

    /**
     * @param value the value
     * @return {@code encrypted:<text>}
     */
    @Descriptor("encrypt a value for a configuration file of this agent: prints encrypted:<text>")
    public String encrypt(
            @Descriptor("the value; it stays in the shell history, leave it out to type it on the next line") String value) {
        if (value == null || value.isEmpty()) {
            return "Nothing encrypted: the value is empty";
        }
        return store.encrypt(value);
    }

    /** Reads up to the end of the line (or input), in UTF-8, without the line end. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n' && b != '\r') {
            bytes.write(b);
        }
        if (b < 0 && bytes.size() == 0) {
            return null;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Opens every field of a credential, secrets included, and says which are set; never a secret.
     *
     * @param idOrName the credential
     * @param target the target
     * @return {@code credential 'x' (basic) opens: user_name=scott, password set} ({@code sudo=true}
     *     after the user name when the credential allows sudo), or the error
     */
    String test(String idOrName, String target) {
        Optional<StoredCredential> found = store.credential(idOrName, target);
        if (found.isEmpty()) {
            return "No credential '" + idOrName + "' on this agent (mid:credentials lists them)";
        }
        StoredCredential credential = found.get();
        CredentialType type = credential.type();
        String what = "credential '" + credential.name() + "' (" + type.id() + ")";
        List<String> parts = new ArrayList<>();
        try {
            Map<String, String> external = credential.external() ? credential.resolve() : Map.of();
            for (String field : type.fields()) {
                String value = external.getOrDefault(field, credential.record().fields().get(field));
                if (field.equals("sudo")) {
                    // a flag: shown only when it allows sudo (unset is false)
                    if ("true".equalsIgnoreCase(value == null ? null : value.strip())) {
                        parts.add("sudo=true");
                    }
                    continue;
                }
                parts.add(value == null ? field + " not set" : field + "=" + value);
            }
            for (String field : type.secretFields()) {
                boolean set = credential.external() ? external.get(field) != null : credential.hasSecret(field);
                if (set && !credential.external()) {
                    credential.secret(field); // opens it, to prove it opens; the value is dropped
                }
                parts.add(field + (set ? " set" : " not set"));
            }
        } catch (CredentialException e) {
            return what + " does not open: " + e.getMessage();
        }
        return what + (credential.active() ? "" : " [inactive]") + " opens: " + String.join(", ", parts);
    }

    private static String table(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    // Catch-alls: Gogo picks these only when no overload above fits the arguments, so the operator
    // gets the usage instead of "Cannot coerce".

    /**
     * @param wrong the arguments given
     * @return the usage
     */
    @Descriptor("wrong arguments: prints the usage")
    public String credentials(String... wrong) {
        return CommandUsage.of(this, "mid", "credentials", wrong);
    }

    /**
     * The arguments are not repeated: they may hold the secret that was to be encrypted.
     *
     * @param wrong the arguments given
     * @return the usage
     */
    @Descriptor("wrong arguments: prints the usage")
    public String encrypt(String... wrong) {
        return CommandUsage.of(this, "mid", "encrypt");
    }
}
