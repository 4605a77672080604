package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.midway.instance.api.CoreRepository;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The agent cores for agents (role mid_server):
 * <ul>
 * <li>{@code GET /api/mid/cores} — {@code {"result": [{"symbolic_name","version","sha256","size"}…]}},
 * oldest version first</li>
 * <li>{@code GET /api/mid/cores/{sha256}} — the bytes ({@code application/java-archive},
 * {@code Content-Length}, {@code X-Midway-Sha256}), counted as a download when sent completely; 404 when
 * no stored core has the hash, 400 when it is not 64 hex digits</li>
 * </ul>
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(AgentCoreServlet.PATH + "/*")
@HttpWhiteboardServletName("midway-agent-cores")
public class AgentCoreServlet extends ApiServlet {

    /** Where agents find the cores. */
    public static final String PATH = "/api/mid/cores";

    private static final long serialVersionUID = 1L;

    private final transient CoreRepository cores;

    /**
     * @param cores the stored agent cores
     * @param realm the users
     */
    @Activate
    public AgentCoreServlet(@Reference CoreRepository cores, @Reference Users realm) {
        super(realm);
        this.cores = cores;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        authenticate(request, Users.ROLE_MID_SERVER);
        requireMethod(request, "GET");
        String path = request.getPathInfo();
        if (path == null || path.equals("/")) {
            writeJson(response, 200, result(WireRecords.map(cores.cores(), WireRecords::toWire)));
            return;
        }
        String sha256 = path.substring(1);
        if (sha256.contains("/")) {
            throw RequestException.notFound("no API at " + request.getRequestURI(),
                    "agent cores: " + PATH + ", " + PATH + "/{sha256}");
        }
        CoreRepository.Download download = cores.open(sha256);
        try (InputStream in = download.bytes()) {
            response.setStatus(200);
            response.setContentType("application/java-archive");
            response.setContentLengthLong(download.core().size());
            response.setHeader(FileSyncServlet.SHA256_HEADER, download.core().sha256());
            response.setHeader("Content-Disposition", "attachment; filename=\""
                    + (download.core().symbolicName() + "-" + download.core().version() + ".jar")
                            .replaceAll("[^A-Za-z0-9._+-]", "_") + "\"");
            OutputStream out = response.getOutputStream();
            in.transferTo(out);
            out.flush();
        }
        cores.downloaded(download.core().sha256());
    }
}
