package io.midway.instance.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import java.util.List;

import org.junit.Test;

import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;

/**
 * The embedded engine keeps leases in memory ({@link MemoryLeases}); the instance dies with some
 * held (its database closed under it, nothing written as it stops): after the restart those
 * records are delivered again, and whichever answer comes first is the one kept — still exactly
 * one input per output.
 */
public class MemoryLeaseCrashTest extends ServiceFixture {



    @Test
    public void leasesLostInACrashMeanTheRecordsAreDeliveredAgainAndAnsweredOnce() {
        assertNotNull("leases in memory on the embedded engine", service.core().memoryLeases());
        register("m1");
        QueueRecord a = insert("m1", "TCPScan", 2);
        List<QueueRecord> before = service.polls().poll("m1", 10).result();
        assertEquals(List.of(a.sysId()), ids(before));
        store.close(); // the crash: what was held in memory is never written
        service.close();
        service = null;
        store = openStore(false);
        service = new InstanceServices(store, settings(), clock);
        assertEquals(QueueRecord.STATE_READY, stored(a.sysId()));
        List<QueueRecord> again = service.polls().poll("m1", 10).result();
        assertEquals("delivered again after the crash", List.of(a.sysId()), ids(again));
        service.polls().input(answers(before));
        service.polls().input(answers(again));
        List<QueueRecord> inputs = service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE,
                "queue=input^response_to=" + a.sysId(), null, null, null));
        assertEquals("one input for the output", 1, inputs.size());
        assertEquals(QueueRecord.STATE_PROCESSED, stored(a.sysId()));
    }
}
