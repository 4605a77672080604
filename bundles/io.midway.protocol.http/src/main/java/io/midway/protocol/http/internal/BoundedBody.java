package io.midway.protocol.http.internal;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body up to a limit. Past the limit it keeps nothing more, cancels the
 * subscription (the client then closes the connection) and completes as truncated. It asks for one
 * chunk at a time, so no more than the chunk in hand is held beyond what it keeps.
 */
final class BoundedBody implements BodySubscriber<BoundedBody.Content> {

    /** What was read. */
    static final class Content {
        final byte[] bytes;
        final boolean truncated;

        Content(byte[] bytes, boolean truncated) {
            this.bytes = bytes;
            this.truncated = truncated;
        }
    }

    private final long limit;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CompletableFuture<Content> result = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;

    BoundedBody(long limit) {
        this.limit = limit;
    }

    @Override
    public CompletionStage<Content> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (cancelled) {
            subscription.cancel();
            return;
        }
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer buffer : buffers) {
            int room = (int) Math.min(Integer.MAX_VALUE, limit - kept.size());
            int take = Math.min(room, buffer.remaining());
            if (take > 0) {
                byte[] chunk = new byte[take];
                buffer.get(chunk);
                kept.write(chunk, 0, take);
            }
            if (buffer.hasRemaining()) {
                result.complete(new Content(kept.toByteArray(), true));
                subscription.cancel();
                return;
            }
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable failure) {
        result.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
        result.complete(new Content(kept.toByteArray(), false));
    }

    /** Stops reading: the call was abandoned (timeout, interruption). */
    void cancel() {
        cancelled = true;
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
    }
}
