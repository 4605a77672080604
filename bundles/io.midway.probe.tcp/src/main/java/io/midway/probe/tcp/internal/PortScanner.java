package io.midway.probe.tcp.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tries TCP connections, many at once, on the calling thread: non-blocking channels on one
 * {@link Selector}, at most {@code maxParallel} attempts in flight. An attempt that is refused,
 * fails or does not complete within the timeout counts as closed. Thread interruption stops the
 * scan at once and closes every socket still connecting.
 */
final class PortScanner {

    private static final Logger LOG = LoggerFactory.getLogger(PortScanner.class);

    private final int maxParallel;

    /**
     * @param maxParallel how many connection attempts may be in flight at once, at least 1
     */
    PortScanner(int maxParallel) {
        if (maxParallel < 1) {
            throw new IllegalArgumentException("maxParallel must be at least 1, not " + maxParallel);
        }
        this.maxParallel = maxParallel;
    }

    /** An attempt in flight: the index of its endpoint and when it gives up. */
    private static final class Attempt {
        final int index;
        final long deadline;

        Attempt(int index, long deadline) {
            this.index = index;
            this.deadline = deadline;
        }
    }

    /**
     * Tries to connect to each endpoint.
     *
     * @param endpoints the addresses and ports to try
     * @param timeoutMs how long one attempt may take, in milliseconds
     * @return for each endpoint (same index) whether a connection was accepted
     * @throws InterruptedException when the calling thread is interrupted
     * @throws IOException when the agent cannot open sockets at all (e.g. out of file handles)
     */
    boolean[] scan(List<InetSocketAddress> endpoints, int timeoutMs) throws InterruptedException, IOException {
        boolean[] open = new boolean[endpoints.size()];
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        int next = 0;
        int inFlight = 0;
        try (Selector selector = Selector.open()) {
            try {
                while (next < endpoints.size() || inFlight > 0) {
                    if (Thread.interrupted()) {
                        throw new InterruptedException("TCP scan interrupted");
                    }
                    while (inFlight < maxParallel && next < endpoints.size()) {
                        int index = next++;
                        if (start(selector, endpoints.get(index), index, System.nanoTime() + timeoutNanos, open)) {
                            inFlight++;
                        }
                    }
                    if (inFlight == 0) {
                        continue;
                    }
                    selector.select(millisUntilFirstDeadline(selector));
                    inFlight -= finishReady(selector, open, endpoints);
                    inFlight -= expire(selector, System.nanoTime(), endpoints);
                }
            } finally {
                for (SelectionKey key : selector.keys()) {
                    closeQuietly(key.channel());
                }
            }
        }
        return open;
    }

    /** @return {@code true} when the attempt is now in flight, {@code false} when it is already decided */
    private static boolean start(Selector selector, InetSocketAddress endpoint, int index, long deadline, boolean[] open)
            throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.configureBlocking(false);
            if (channel.connect(endpoint)) {
                open[index] = true;
                channel.close();
                return false;
            }
            channel.register(selector, SelectionKey.OP_CONNECT, new Attempt(index, deadline));
            return true;
        } catch (IOException e) {
            LOG.trace("connect to {} failed at once: {}", endpoint, e.toString());
            closeQuietly(channel);
            return false;
        }
    }

    private static long millisUntilFirstDeadline(Selector selector) {
        long first = Long.MAX_VALUE;
        for (SelectionKey key : selector.keys()) {
            if (key.isValid()) {
                first = Math.min(first, ((Attempt) key.attachment()).deadline);
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(first - System.nanoTime()) + 1;
        return Math.max(1, millis);
    }

    /** @return how many attempts were decided */
    private static int finishReady(Selector selector, boolean[] open, List<InetSocketAddress> endpoints) {
        int done = 0;
        Iterator<SelectionKey> selected = selector.selectedKeys().iterator();
        while (selected.hasNext()) {
            SelectionKey key = selected.next();
            selected.remove();
            Attempt attempt = (Attempt) key.attachment();
            SocketChannel channel = (SocketChannel) key.channel();
            try {
                if (!channel.finishConnect()) {
                    continue;
                }
                open[attempt.index] = true;
            } catch (IOException e) {
                LOG.trace("connect to {} failed: {}", endpoints.get(attempt.index), e.toString());
            }
            key.cancel();
            closeQuietly(channel);
            done++;
        }
        return done;
    }

    /** @return how many attempts timed out */
    private static int expire(Selector selector, long now, List<InetSocketAddress> endpoints) {
        int expired = 0;
        for (SelectionKey key : selector.keys()) {
            Attempt attempt = (Attempt) key.attachment();
            if (key.isValid() && now - attempt.deadline >= 0) {
                LOG.trace("connect to {} timed out", endpoints.get(attempt.index));
                key.cancel();
                closeQuietly(key.channel());
                expired++;
            }
        }
        return expired;
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.trace("closing a scan socket failed: {}", e.toString());
        }
    }
}
