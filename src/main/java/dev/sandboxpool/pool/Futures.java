package dev.sandboxpool.pool;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Futures that fail with the exception the work threw, not a CompletionException around it, so the HTTP layer's
 * exception handlers see {@link NoSandboxAvailableException} and its kin as they are.
 */
public final class Futures {
    private Futures() {
    }

    /** Runs {@code work} on {@code executor}. */
    public static <T> CompletableFuture<T> supplyOn(Executor executor, Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(work.get());
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /** When {@code first} succeeds, {@code then} on {@code executor}; either's failure as it was thrown. */
    public static <T, U> CompletableFuture<U> thenOn(CompletableFuture<T> first, Executor executor,
            java.util.function.Function<T, U> then) {
        CompletableFuture<U> result = new CompletableFuture<>();
        first.whenComplete((value, failure) -> {
            if (failure != null) {
                result.completeExceptionally(unwrapped(failure));
                return;
            }
            try {
                executor.execute(() -> {
                    try {
                        result.complete(then.apply(value));
                    } catch (RuntimeException | Error e) {
                        result.completeExceptionally(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(e);
            }
        });
        result.whenComplete((v, f) -> {
            if (result.isCancelled()) {
                first.cancel(false); // a caller gone before its member came leaves the line
            }
        });
        return result;
    }

    /** {@code f} applied to {@code first}'s value on the thread that completes it; a failure as it was thrown. */
    public static <T, U> CompletableFuture<U> map(CompletableFuture<T> first, java.util.function.Function<T, U> f) {
        return thenOn(first, Runnable::run, f);
    }

    /**
     * Waits for {@code future} on this thread; its failure is thrown as it was. An interrupt cancels it and throws
     * {@code onInterrupt}'s exception, the interrupt flag kept.
     */
    public static <T> T await(CompletableFuture<T> future, Supplier<? extends RuntimeException> onInterrupt) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw onInterrupt.get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    static Throwable unwrapped(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
