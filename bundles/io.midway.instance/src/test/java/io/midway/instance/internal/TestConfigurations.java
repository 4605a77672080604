package io.midway.instance.internal;

import java.lang.annotation.Annotation;

/** Instances of {@link InstanceConfiguration} for tests. */
public final class TestConfigurations {

    private TestConfigurations() {
    }

    /** @return the annotation defaults, as DS passes them when there is no configuration */
    public static InstanceConfiguration defaults() {
        return of(300, 0, 300, false, 60000);
    }

    public static InstanceConfiguration of(int heartbeatSeconds, int timeoutSeconds, int leaseSeconds,
            boolean autoValidate, long pollMaxWaitMs) {
        return of(heartbeatSeconds, timeoutSeconds, leaseSeconds, autoValidate, pollMaxWaitMs, "new");
    }

    public static InstanceConfiguration of(int heartbeatSeconds, int timeoutSeconds, int leaseSeconds,
            boolean autoValidate, long pollMaxWaitMs, String selectionAlgorithm) {
        return new InstanceConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return InstanceConfiguration.class;
            }

            @Override
            public int heartbeat_seconds() {
                return heartbeatSeconds;
            }

            @Override
            public int heartbeat_timeout_seconds() {
                return timeoutSeconds;
            }

            @Override
            public int lease_seconds() {
                return leaseSeconds;
            }

            @Override
            public boolean auto_validate() {
                return autoValidate;
            }

            @Override
            public long poll_max_wait_ms() {
                return pollMaxWaitMs;
            }

            @Override
            public String mid_selection_algorithm() {
                return selectionAlgorithm;
            }
        };
    }
}
