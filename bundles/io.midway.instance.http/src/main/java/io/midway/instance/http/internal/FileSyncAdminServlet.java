package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.FileRepository;
import io.midway.wire.Json;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The file-sync repository for admins (role admin):
 * <ul>
 * <li>{@code POST /api/mid/admin/files?kind=probe|protocol|credential|library[&name=FILE]} — body: the
 * bundle jar; 201 when the set changed, 200 for the same bytes again;
 * {@code {"result": <file>, "revision": "N"}}</li>
 * <li>{@code GET /api/mid/admin/files} — {@code {"result": [<file> + uploaded_on, downloads], "revision"}}</li>
 * <li>{@code GET /api/mid/admin/files/{symbolic_name}} — one of them</li>
 * <li>{@code DELETE /api/mid/admin/files/{symbolic_name}} — {@code {"result": <file>, "revision"}}, 404 when
 * unknown</li>
 * </ul>
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(FileSyncAdminServlet.PATH + "/*")
@HttpWhiteboardServletName("midway-file-sync-admin")
public class FileSyncAdminServlet extends ApiServlet {

    /** Where the repository is. */
    public static final String PATH = "/api/mid/admin/files";

    private static final long serialVersionUID = 1L;

    private final transient FileRepository files;

    /**
     * @param files the repository
     * @param realm the users
     */
    @Activate
    public FileSyncAdminServlet(@Reference FileRepository files, @Reference Users realm) {
        super(realm);
        this.files = files;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        authenticateUpload(request, Users.ROLE_ADMIN, FileRepository.MAX_FILE_BYTES);
        String path = request.getPathInfo();
        if (path == null || path.equals("/")) {
            if ("GET".equals(requireMethod(request, "GET", "POST"))) {
                FileRepository.Listing listing = files.listing();
                writeJson(response, 200, reply(listing.files().stream().map(FileSyncAdminServlet::listed).toList(),
                        listing.revision()));
            } else {
                upload(request, response);
            }
            return;
        }
        String symbolicName = path.substring(1);
        if (symbolicName.contains("/")) {
            throw RequestException.notFound("no API at " + request.getRequestURI());
        }
        if ("GET".equals(requireMethod(request, "GET", "DELETE"))) {
            FileRepository.Listed file = files.file(symbolicName)
                    .orElseThrow(() -> RequestException.notFound("no file with symbolic name " + symbolicName,
                            "GET " + PATH + " lists the files"));
            writeJson(response, 200, reply(listed(file), files.revision()));
        } else {
            FileRepository.Removal removal = files.delete(symbolicName);
            writeJson(response, 200, reply(WireRecords.toWire(removal.file()), removal.revision()));
        }
    }

    private void upload(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String kind = queryParam(request, "kind").orElse(null);
        String name = queryParam(request, "name").orElse(null);
        FileRepository.Upload upload;
        try (InputStream body = requestBody(request)) {
            upload = files.upload(body, request.getContentLengthLong(), kind, name);
        }
        if (upload.changed()) {
            response.setHeader("Location", request.getRequestURI().replaceAll("/+$", "") + "/"
                    + upload.file().symbolicName());
        }
        writeJson(response, upload.changed() ? 201 : 200, reply(WireRecords.toWire(upload.file()), upload.revision()));
    }

    private static ObjectNode listed(FileRepository.Listed listed) {
        ObjectNode node = Json.mapper().valueToTree(WireRecords.toWire(listed.file()));
        node.put("uploaded_on", listed.uploadedOn());
        node.put("downloads", listed.downloads());
        return node;
    }

    private static Map<String, Object> reply(Object result, String revision) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", result);
        body.put("revision", revision);
        return body;
    }
}
