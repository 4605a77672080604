package io.midway.testing.echo.internal;

import org.osgi.service.component.annotations.Component;

import io.midway.api.protocol.MidwayProtocol;
import io.midway.api.protocol.Protocol;

/** The {@code echo} protocol: makes the agent advertise the capability {@code echo}. */
@Component
@MidwayProtocol("echo")
public class EchoProtocol implements Protocol {
}
