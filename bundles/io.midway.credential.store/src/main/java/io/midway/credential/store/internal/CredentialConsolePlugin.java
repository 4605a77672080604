package io.midway.credential.store.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.console.support.WebConsolePlugin;
import io.midway.api.credential.store.CredentialStore;
import io.midway.wire.Json;
import io.midway.wire.SealedSecret;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Credentials page of the agent's Felix Web Console, at {@code /system/console/credentials}
 * (menu "Midway"): the credentials the instance pushed to this agent, as {@code mid:credentials}
 * lists them, with the secret fields each holds (names only), the targets each worked for last,
 * the revision held, the agent key's fingerprint and the records of an unknown type.
 *
 * <ul>
 * <li>{@code GET /system/console/credentials} — the HTML page (the console wraps it).</li>
 * <li>{@code GET /system/console/credentials.json} — the same as JSON ({@link CredentialOverview}).</li>
 * </ul>
 *
 * <p>Read-only. It never opens a secret: it reads the records as pushed, whose secrets are sealed,
 * and only which secret fields they carry. It does not ask an external resolver either.
 */
@Component(service = Servlet.class)
@WebConsolePlugin(label = CredentialConsolePlugin.LABEL, title = "Credentials", category = "Midway")
public class CredentialConsolePlugin extends HttpServlet {

    /** The page's address below {@code /system/console/}. */
    public static final String LABEL = "credentials";

    /** How long a request waits for the agent key while the store is still making it (first start). */
    static final long KEY_WAIT_MILLIS = 2000;

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(CredentialConsolePlugin.class);

    private final transient CredentialInventory inventory;
    private final transient CredentialStore keys;

    /**
     * @param inventory the store, as the shell commands see it
     * @param keys the store's public side, for the agent key's fingerprint; {@code null} when not
     *     registered (the page then says the key is not available)
     */
    @Activate
    public CredentialConsolePlugin(@Reference(name = "store") CredentialInventory inventory,
            @Reference(name = "keys", cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) CredentialStore keys) {
        this.inventory = inventory;
        this.keys = keys;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        CredentialOverview overview = overview();
        response.setHeader("Cache-Control", "no-store");
        if (isJsonRequest(request)) {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            PrintWriter out = response.getWriter();
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(overview));
            return;
        }
        if (response.getContentType() == null) {
            response.setContentType("text/html;charset=UTF-8");
        }
        CredentialConsolePage.render(response.getWriter(), overview);
    }

    /** @return a snapshot of the store, with the agent key's fingerprint when it can be read */
    CredentialOverview overview() {
        if (keys == null) {
            return CredentialOverview.of(inventory, null, "the CredentialStore service is not registered");
        }
        // The store makes its key in the background at first start and publicKey() waits for it:
        // the page does not wait long.
        CompletableFuture<String> fingerprint = CompletableFuture
                .supplyAsync(() -> SealedSecret.fingerprint(SealedSecret.parsePublicKey(keys.publicKey())));
        try {
            return CredentialOverview.of(inventory, fingerprint.get(KEY_WAIT_MILLIS, TimeUnit.MILLISECONDS), null);
        } catch (TimeoutException e) {
            return CredentialOverview.of(inventory, null, "the key pair is still being made; reload the page");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CredentialOverview.of(inventory, null, "interrupted while reading the key");
        } catch (ExecutionException e) {
            // what the store says of its key: the directory and the cause, never key material
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            LOG.warn("Credentials page: the agent key cannot be read: {}", reason);
            return CredentialOverview.of(inventory, null, reason);
        }
    }

    private static boolean isJsonRequest(HttpServletRequest request) {
        String pathInfo = request.getPathInfo();
        String path = pathInfo != null ? pathInfo : request.getRequestURI();
        return path != null && path.endsWith(".json");
    }
}
