package io.midway.agent.internal.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;

public class LogCommandsTest {

    private static LogEntry entry(long time, LogLevel level, String logger, String message, Throwable t) {
        return new LogEntry() {
            @Override
            public Bundle getBundle() {
                return null;
            }

            @Override
            public ServiceReference<?> getServiceReference() {
                return null;
            }

            @SuppressWarnings("deprecation")
            @Override
            public int getLevel() {
                return Math.min(4, level.ordinal());
            }

            @Override
            public String getMessage() {
                return message;
            }

            @Override
            public Throwable getException() {
                return t;
            }

            @Override
            public long getTime() {
                return time;
            }

            @Override
            public LogLevel getLogLevel() {
                return level;
            }

            @Override
            public String getLoggerName() {
                return logger;
            }

            @Override
            public long getSequence() {
                return time;
            }

            @Override
            public String getThreadInfo() {
                return "main";
            }

            @Override
            public StackTraceElement getLocation() {
                return null;
            }
        };
    }

    private static List<LogEntry> newestFirst() {
        List<LogEntry> l = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            LogLevel level = i % 10 == 0 ? LogLevel.ERROR : i % 5 == 0 ? LogLevel.WARN : LogLevel.INFO;
            l.add(entry(1_000_000L + i, level, "io.midway.agent.internal.EccPoller", "message " + i,
                    level == LogLevel.ERROR ? new IllegalStateException("failure " + i) : null));
        }
        Collections.reverse(l);
        return l;
    }

    @Test
    public void theLastLinesOldestFirst() {
        String out = LogCommands.format(Collections.enumeration(newestFirst()), 3, LogLevel.TRACE);
        String[] lines = out.split("\n");
        assertEquals(3, lines.length);
        assertTrue(lines[0], lines[0].endsWith("INFO  EccPoller - message 97"));
        assertTrue(lines[2], lines[2].endsWith("INFO  EccPoller - message 99"));
    }

    @Test
    public void aLevelFilterKeepsThatLevelAndWorse() {
        String out = LogCommands.format(Collections.enumeration(newestFirst()), 4, LogLevel.WARN);
        String[] lines = out.split("\n");
        assertEquals(out, 4, lines.length);
        assertTrue(lines[0], lines[0].endsWith("ERROR EccPoller - message 80 (java.lang.IllegalStateException: failure 80)"));
        assertTrue(lines[1], lines[1].endsWith("WARN  EccPoller - message 85"));
        assertTrue(lines[3], lines[3].endsWith("WARN  EccPoller - message 95"));
        assertEquals("no log entries at error or above",
                LogCommands.format(Collections.enumeration(List.of()), 5, LogLevel.ERROR));
    }

    @Test
    public void wrongArgumentsSaySo() {
        LogCommands c = new LogCommands();
        assertEquals("mid:log: unknown level 'loud': use trace, debug, info, warn or error", c.log(10, "loud"));
        assertEquals("mid:log: -n must be 1 or more", c.log(0, "info"));
        assertEquals("mid:log: no log service is running (io.midway.logging)", c.log(10, "info"));
    }
}
