package dev.locksafe.internal;

import dev.locksafe.LockSafe;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The engine's default {@link LockSafe.Sleeper}: the calling thread sleeps, and wakes up early when told to. */
public final class ThreadSleeper implements LockSafe.Sleeper {

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    }

    /**
     * Returns when {@code wakeUp} completes normally or {@code duration} has passed. When {@code wakeUp}
     * fails (the lookup connection is gone), the rest of {@code duration} is slept: the blind backoff.
     */
    @Override
    public void sleep(Duration duration, CompletableFuture<?> wakeUp) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        try {
            wakeUp.get(duration.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // the whole backoff has passed
        } catch (ExecutionException | CancellationException e) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
        }
    }
}
