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

import io.midway.instance.api.AgentRegistry;
import io.midway.instance.api.FileRepository;
import io.midway.wire.SyncReport;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * File sync for agents (role mid_server):
 * <ul>
 * <li>{@code GET /api/mid/file_sync/snapshot} — {@code SyncSnapshot}, files sorted by symbolic name</li>
 * <li>{@code GET /api/mid/file_sync/files/{sha256}} — the bytes ({@code application/java-archive},
 * {@code Content-Length}, {@code X-Midway-Sha256}); 404 when no current file has the hash, 400 when
 * it is not 64 hex digits</li>
 * <li>{@code POST /api/mid/file_sync/report} — body {@code SyncReport}; {@code {"result": <agent>}}</li>
 * </ul>
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(FileSyncServlet.PATH + "/*")
@HttpWhiteboardServletName("midway-file-sync")
public class FileSyncServlet extends ApiServlet {

    /** Where the agent-facing file sync is. */
    public static final String PATH = "/api/mid/file_sync";
    /** Response header carrying the hex SHA-256 of a downloaded file. */
    public static final String SHA256_HEADER = "X-Midway-Sha256";

    private static final long serialVersionUID = 1L;
    private static final String FILES = "/files/";

    private final transient AgentRegistry service;
    private final transient FileRepository files;

    /**
     * @param service the instance
     * @param files the repository
     * @param realm the users
     */
    @Activate
    public FileSyncServlet(@Reference AgentRegistry service, @Reference FileRepository files,
            @Reference Users realm) {
        super(realm);
        this.service = service;
        this.files = files;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Users.User user = authenticate(request, Users.ROLE_MID_SERVER);
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        if (path.equals("/snapshot")) {
            requireMethod(request, "GET");
            writeJson(response, 200, WireRecords.toWire(files.snapshot()));
        } else if (path.equals("/report")) {
            requireMethod(request, "POST");
            SyncReport report = readBody(request, SyncReport.class);
            authorizeAgent(user, report == null ? null : report.name());
            writeJson(response, 200, result(WireRecords.toWire(service.syncReport(WireRecords.fromWire(report)))));
        } else if (path.startsWith(FILES)) {
            requireMethod(request, "GET");
            download(path.substring(FILES.length()), response);
        } else {
            throw RequestException.notFound("no API at " + request.getRequestURI(),
                    "file sync: " + PATH + "/snapshot, " + PATH + "/files/{sha256}, " + PATH + "/report");
        }
    }

    private void download(String sha256, HttpServletResponse response) throws IOException {
        FileRepository.Download download = files.open(sha256);
        try (InputStream in = download.bytes()) {
            response.setStatus(200);
            response.setContentType("application/java-archive");
            response.setContentLengthLong(download.file().size());
            response.setHeader(SHA256_HEADER, download.file().sha256());
            response.setHeader("Content-Disposition", "attachment; filename=\""
                    + download.file().name().replaceAll("[^A-Za-z0-9._+-]", "_") + "\"");
            OutputStream out = response.getOutputStream();
            in.transferTo(out);
            out.flush();
        }
        files.downloaded(download.file().sha256());
    }
}
