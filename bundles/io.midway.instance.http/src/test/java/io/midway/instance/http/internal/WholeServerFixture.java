package io.midway.instance.http.internal;

import io.midway.instance.internal.UserRealm;
import io.midway.instance.api.Users;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Map;

import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.After;
import org.junit.Before;

import io.midway.instance.internal.AgentCoreRepository;
import io.midway.instance.internal.CredentialAffinityService;
import io.midway.instance.internal.CredentialCipher;
import io.midway.instance.internal.CredentialService;
import io.midway.instance.internal.FileSyncService;
import io.midway.instance.internal.ServiceFixture;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Every servlet of the instance over a real Jetty 12 on 127.0.0.1, mapped as the whiteboard maps
 * them, behind the {@link io.midway.instance.http.internal.BadInputGuard} (as a filter on every path, where the whiteboard runs it as
 * a preprocessor), on a real {@link io.midway.instance.internal.InstanceServices} on H2. {@code /system/console/*}
 * is a page servlet that, like the Web Console's plugins, reads form parameters on POST and throws
 * on {@code OPTIONS}: the guard must keep both from becoming 500s.
 */
public abstract class WholeServerFixture extends ServiceFixture {

    static final String ADMIN = "admin:admin-pw";
    static final String AGENT = "mid:agent-pw";

    protected Server server;
    protected int port;
    protected CredentialService credentials;

    @Before
    public void startServer() throws Exception {
        io.midway.instance.internal.AgentIdentities identities = new io.midway.instance.internal.AgentIdentities(service.core());
        // The shared user acts for agents without an identity (legacy mode), so that the bad-input
        // cases reach every agent endpoint past authentication; IdentityHttpTest covers the strict default.
        UserRealm realm = new UserRealm(Map.of("midway.admin.password", "admin-pw",
                "midway.agent.password", "agent-pw", Users.SHARED_LEGACY_PROPERTY, "true")::get, identities);
        credentials = new CredentialService(service.core(), tmp.getRoot().toPath().resolve(CredentialCipher.KEY_FILE));
        CredentialAffinityService affinity = new CredentialAffinityService(service.core());
        FileSyncService files = new FileSyncService(service.core(), tmp.getRoot().toPath().resolve("files"),
                FileSyncService.MAX_FILE_BYTES);
        AgentCoreRepository cores = new AgentCoreRepository(service.core(), tmp.getRoot().toPath().resolve("cores"),
                AgentCoreRepository.MAX_CORE_BYTES);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(3000);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addFilter(new FilterHolder(new io.midway.instance.http.internal.BadInputGuard()), "/*", EnumSet.of(DispatcherType.REQUEST));
        add(context, new InstanceInfoServlet(service.core()), "/api/mid/instance_info");
        add(context, new AgentRegistrationServlet(service.agents(), realm, identities), "/api/mid/agents/register");
        add(context, new UserTableServlet(identities, realm), "/api/now/table/sys_user/*", "/api/now/v2/table/sys_user/*");
        add(context, new AgentStatusServlet(service.agents(), realm), "/api/mid/agents/status");
        add(context, new EccPollServlet(service.polls(), realm), "/api/mid/ecc/poll");
        add(context, new EccInputServlet(service.polls(), realm), "/api/mid/ecc/input");
        add(context, new EventsServlet(service.events(), realm), "/api/mid/events");
        add(context, new TableApiServlet(service.outputs(), service.agents(), service.clusters(), service.agentSettings(), realm), "/api/now/table/*", "/api/now/v2/table/*");
        add(context, new CredentialTableServlet(credentials, service.outputs(), realm), "/api/now/table/discovery_credentials/*",
                "/api/now/v2/table/discovery_credentials/*");
        add(context, new CredentialAffinityTableServlet(affinity, service.outputs(), realm), "/api/now/table/dscy_credentials_affinity/*",
                "/api/now/v2/table/dscy_credentials_affinity/*");
        add(context, new CredentialDeliveryServlet(credentials, realm), "/api/mid/credentials");
        add(context, new AgentConfigServlet(service.agentSettings(), realm), AgentConfigServlet.PATH, AgentConfigServlet.PATH + "/*");
        add(context, new CredentialAffinityServlet(affinity, realm), "/api/mid/credentials/affinity");
        add(context, new StatsApiServlet(service.outputs(), realm), "/api/now/stats/*", "/api/now/v1/stats/*");
        add(context, new AgentSelectionServlet(service.selection(), realm), "/api/mid/admin/select");
        add(context, new FileSyncAdminServlet(files, realm), FileSyncAdminServlet.PATH + "/*");
        add(context, new FileSyncServlet(service.agents(), files, realm), FileSyncServlet.PATH + "/*");
        add(context, new AgentCoreServlet(cores, realm), AgentCoreServlet.PATH + "/*");
        add(context, new UpgradeAdminServlet(cores, realm), UpgradeAdminServlet.PATH);
        add(context, new io.midway.instance.http.internal.ApiFallbackServlet(service.core()), "/api/*");
        add(context, new ConsoleLikePage(), "/system/console/*");
        server.setHandler(context);
        server.start();
        port = connector.getLocalPort();
    }

    private static void add(ServletContextHandler context, HttpServlet servlet, String... patterns) {
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        for (String pattern : patterns) {
            context.getServletHandler().addServletWithMapping(holder, pattern);
        }
    }

    @After
    public void stopServer() throws Exception {
        server.stop();
    }

    /** A page as the Web Console's plugins behave: forms on POST, an exception on OPTIONS. */
    static final class ConsoleLikePage extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response)
                throws IOException, jakarta.servlet.ServletException {
            if ("OPTIONS".equals(request.getMethod())) {
                // what the Web Console's bundles and components pages do (their request info is set in GET only)
                throw new NullPointerException("Cannot read field \"bundleRequested\" because \"reqInfo\" is null");
            }
            super.service(request, response);
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/html");
            response.getWriter().write("<p>" + (request.getParameter("x") == null ? "page" : "x") + "</p>");
        }

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            response.getWriter().write("action=" + request.getParameter("action"));
        }
    }
}
