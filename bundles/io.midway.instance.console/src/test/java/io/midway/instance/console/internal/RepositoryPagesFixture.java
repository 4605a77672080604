package io.midway.instance.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.After;

import io.midway.instance.internal.ServiceFixture;
import jakarta.servlet.Filter;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.HttpServlet;

/**
 * A console page over a real Jetty 12 on 127.0.0.1 with HTTP sessions and multipart enabled (as the
 * Web Console registers its servlet), a filter that sets the plugin root as the Web Console does,
 * on a real instance on H2; the client keeps cookies like a browser.
 */
public abstract class RepositoryPagesFixture extends ServiceFixture {

    static final Pattern TOKEN = Pattern.compile("name=\"token\" value=\"([0-9a-f]{32})\"");

    protected Server server;
    protected String base;
    protected String root;
    protected HttpClient browser;

    protected void startPage(String label, HttpServlet page) throws Exception {
        root = "/system/console/" + label;
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        String pageRoot = root;
        Filter pluginRoot = (request, response, chain) -> {
            request.setAttribute(AgentConsolePlugin.PLUGIN_ROOT_ATTRIBUTE, pageRoot);
            chain.doFilter(request, response);
        };
        context.addFilter(pluginRoot, "/*", null);
        ServletHolder holder = new ServletHolder(page);
        holder.getRegistration().setMultipartConfig(
                new MultipartConfigElement(tmp.newFolder().getAbsolutePath(), 80L << 20, 90L << 20, 1 << 20));
        context.addServlet(holder, root);
        context.addServlet(holder, root + ".json");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
        browser = newBrowser();
    }

    @After
    public void stopServer() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    static HttpClient newBrowser() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL)).build();
    }

    HttpResponse<String> get(HttpClient client, String pathAndQuery) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(20))
                .GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** @return the HTML page, checked to be a 200 text/html fragment */
    String page() throws Exception {
        HttpResponse<String> r = get(browser, root);
        assertEquals(r.body(), 200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        return r.body();
    }

    /** @return the JSON twin's body, checked to be a 200 */
    String json() throws Exception {
        HttpResponse<String> r = get(browser, root + ".json");
        assertEquals(r.body(), 200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return r.body();
    }

    static String token(String html) {
        Matcher m = TOKEN.matcher(html);
        assertTrue("the page carries a form token: " + html, m.find());
        return m.group(1);
    }

    HttpResponse<String> post(HttpClient client, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return client.send(HttpRequest.newBuilder(URI.create(base + root)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Posts a multipart form as a browser sends the upload form: the fields, then the file as part {@code jar}. */
    HttpResponse<String> postMultipart(HttpClient client, Map<String, String> fields, Path jar) throws Exception {
        return postMultipart(client, fields, "jar", jar);
    }

    /** Posts a multipart form: the fields, then the file as the part named {@code part}. */
    HttpResponse<String> postMultipart(HttpClient client, Map<String, String> fields, String part, Path jar)
            throws Exception {
        String boundary = "----midway" + UUID.randomUUID().toString().replace("-", "");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n"
                    + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        if (jar != null) {
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part + "\"; filename=\""
                    + jar.getFileName() + "\"\r\nContent-Type: application/java-archive\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return client.send(HttpRequest.newBuilder(URI.create(base + root)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Follows the POST's redirect as a browser does; returns the page it lands on. */
    String follow(HttpResponse<String> response) throws Exception {
        assertEquals(response.body(), 303, response.statusCode());
        URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
        String path = location.getRawPath() + "?" + location.getRawQuery();
        assertTrue(path, path.startsWith(root + "?outcome="));
        HttpResponse<String> page = get(browser, path);
        assertEquals(200, page.statusCode());
        return page.body();
    }

    /** @return the notice the page shows after a POST */
    static String notice(String html) {
        int start = html.indexOf("<p id=\"midway-notice\"");
        assertTrue("a notice in " + html, start >= 0);
        return html.substring(start, html.indexOf("</p>", start));
    }
}
