package dev.sandboxpool.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * A closed-loop load: {@code concurrency} threads each call, wait for the answer and call again, for a fixed time.
 * Each call is given a number; thread {@code t} makes calls {@code t, t + concurrency, ...}, so a scenario can spread
 * its calls over sandboxes or servers by that number.
 */
final class Load {
    private Load() {
    }

    /**
     * Latencies in milliseconds; {@code firstError} is the message of the first failed call (null without one), so a
     * run with errors says what they were.
     */
    record Stats(double p50, double p99, double perSecond, int count, int errors, String firstError) {
    }

    /**
     * Runs {@code call} after a warm-up of {@code max(3, concurrency)} calls (connections, JIT, first runners), whose
     * failures count as errors too: they are the product's, and a scenario goes on after them to say how many.
     */
    static Stats run(int concurrency, Duration time, IntConsumer call) throws InterruptedException {
        AtomicInteger errors = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        for (int i = 0; i < Math.max(3, concurrency); i++) {
            try {
                call.accept(i);
            } catch (RuntimeException e) {
                errors.incrementAndGet();
                firstError.compareAndSet(null, String.valueOf(e.getMessage()));
            }
        }
        ExecutorService threads = Executors.newFixedThreadPool(concurrency);
        long deadline = System.nanoTime() + time.toNanos();
        List<Future<List<Long>>> futures = new ArrayList<>();
        long started = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            int thread = t;
            futures.add(threads.submit(() -> {
                List<Long> samples = new ArrayList<>();
                for (int i = thread; System.nanoTime() < deadline; i += concurrency) {
                    long t0 = System.nanoTime();
                    try {
                        call.accept(i);
                        samples.add(System.nanoTime() - t0);
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, String.valueOf(e.getMessage()));
                    }
                }
                return samples;
            }));
        }
        List<Long> all = new ArrayList<>();
        try {
            for (Future<List<Long>> f : futures) {
                all.addAll(f.get());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a load thread failed", e.getCause());
        } finally {
            threads.shutdown();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return stats(all, seconds, errors.get(), firstError.get());
    }

    /**
     * The statistics of nanosecond samples taken over {@code seconds} (for samples timed elsewhere too, such as by
     * the Python SDK driver); sorts {@code nanos}.
     */
    static Stats stats(List<Long> nanos, double seconds, int errors, String firstError) {
        nanos.sort(null);
        return new Stats(percentile(nanos, 50), percentile(nanos, 99), nanos.size() / seconds, nanos.size(), errors,
                firstError);
    }

    /** The nearest-rank percentile of sorted nanosecond samples, in milliseconds; NaN without samples. */
    static double percentile(List<Long> sortedNanos, int p) {
        if (sortedNanos.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sortedNanos.size()) - 1;
        return sortedNanos.get(Math.max(0, Math.min(index, sortedNanos.size() - 1))) / 1e6;
    }
}
