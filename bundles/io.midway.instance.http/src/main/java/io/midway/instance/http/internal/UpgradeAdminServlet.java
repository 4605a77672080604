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

import io.midway.instance.api.CoreRepository;
import io.midway.wire.Json;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The agent core upgrade for admins (role admin):
 * <ul>
 * <li>{@code POST /api/mid/admin/upgrade} — body: an {@code io.midway.agent} jar; its version becomes
 * the instance version; 201 {@code {"result": {"symbolic_name","version","sha256","size"}}}</li>
 * <li>{@code GET /api/mid/admin/upgrade} — {@code {"result": {"version", "core", "cores": [… + uploaded_on,
 * downloads]}}}</li>
 * </ul>
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(UpgradeAdminServlet.PATH)
@HttpWhiteboardServletName("midway-upgrade-admin")
public class UpgradeAdminServlet extends ApiServlet {

    /** Where the upgrade is administered. */
    public static final String PATH = "/api/mid/admin/upgrade";

    private static final long serialVersionUID = 1L;

    private final transient CoreRepository cores;

    /**
     * @param cores the stored agent cores
     * @param realm the users
     */
    @Activate
    public UpgradeAdminServlet(@Reference CoreRepository cores, @Reference Users realm) {
        super(realm);
        this.cores = cores;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        authenticateUpload(request, Users.ROLE_ADMIN, CoreRepository.MAX_CORE_BYTES);
        if ("GET".equals(requireMethod(request, "GET", "POST"))) {
            CoreRepository.Overview overview = cores.overview();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("version", overview.version());
            body.put("core", overview.core() == null ? null : listed(overview.core()));
            body.put("cores", overview.cores().stream().map(UpgradeAdminServlet::listed).toList());
            writeJson(response, 200, result(body));
            return;
        }
        CoreRepository.Published published;
        try (InputStream body = requestBody(request)) {
            published = cores.upload(body, request.getContentLengthLong());
        }
        writeJson(response, 201, result(WireRecords.toWire(published.core())));
    }

    private static ObjectNode listed(CoreRepository.Listed listed) {
        ObjectNode node = Json.mapper().valueToTree(WireRecords.toWire(listed.core()));
        node.put("uploaded_on", listed.uploadedOn());
        node.put("downloads", listed.downloads());
        return node;
    }
}
