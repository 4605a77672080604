package io.midway.instance.internal.shell;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import io.midway.console.support.shell.CommandUsage;
import io.midway.instance.internal.ConfigurationSecrets;
import io.midway.instance.internal.CredentialCipher;
import io.midway.instance.internal.InstanceCore;

/**
 * {@code instance:encrypt}: a secret of the instance's configuration (e.g. {@code MIDWAY_DB_PASSWORD})
 * as {@code encrypted:<text>}, which only this instance's master key opens. Without an argument it
 * reads the value from one input line, so it stays out of the shell history.
 */
@Component(service = EncryptCommand.class, property = {
    "osgi.command.scope=instance",
    "osgi.command.function=encrypt",
})
public class EncryptCommand {

    private final Path keyFile;

    /** @param context for the data folder, where the master key is */
    @Activate
    public EncryptCommand(BundleContext context) {
        this(InstanceCore.dataDirectory(context).resolve(CredentialCipher.KEY_FILE));
    }

    /** @param keyFile the master key file */
    public EncryptCommand(Path keyFile) {
        this.keyFile = keyFile;
    }

    /**
     * @param session the shell session, whose input gives the value
     * @return {@code encrypted:<text>}, or why not
     * @throws IOException when the input cannot be read
     */
    @Descriptor("encrypt a secret of this instance's configuration (e.g. MIDWAY_DB_PASSWORD): prints encrypted:<text>, "
            + "which only this instance's master key opens; reads the value from one input line, out of the shell history")
    public String encrypt(CommandSession session) throws IOException {
        PrintStream console = session == null ? null : session.getConsole();
        if (console != null) {
            console.print("Value to encrypt (one line; not kept in the shell history): ");
            console.flush();
        }
        InputStream in = session == null ? null : session.getKeyboard();
        if (in == null) {
            return "No input to read the value from: give it as instance:encrypt <value>";
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n' && b != '\r') {
            bytes.write(b);
        }
        return encrypt(bytes.toString(StandardCharsets.UTF_8));
    }

    /**
     * @param value the value
     * @return {@code encrypted:<text>}, or why not
     */
    @Descriptor("encrypt a secret of this instance's configuration: prints encrypted:<text>")
    public String encrypt(@Descriptor("the value; it stays in the shell history, leave it out to type it on the next line")
            String value) {
        if (value == null || value.isEmpty()) {
            return "Nothing encrypted: the value is empty";
        }
        try {
            return ConfigurationSecrets.encrypt(keyFile, value);
        } catch (IllegalStateException e) {
            return "Cannot encrypt: " + e.getMessage();
        }
    }

    /** @param wrong the arguments given @return the usage */
    @Descriptor("wrong arguments: prints the usage")
    public String encrypt(String... wrong) {
        return CommandUsage.of(this, "instance", "encrypt", wrong);
    }
}
