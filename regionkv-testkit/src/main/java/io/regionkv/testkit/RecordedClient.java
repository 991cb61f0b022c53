package io.regionkv.testkit;

import com.google.protobuf.ByteString;
import io.regionkv.client.KvPair;
import io.regionkv.client.RegionKvClient;
import io.regionkv.client.RegionKvTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link RegionKvClient} whose every operation is recorded in a {@link HistoryRecorder}: invoked just
 * before it is sent, completed when the answer is known. A write that timed out with an unknown outcome
 * stays pending in the history (it may have been applied); a write refused for sure, and any failed read,
 * is left out (it did not happen). Calls block the calling thread; use one thread per client.
 *
 * <p>Keys and values are strings mapped byte for byte (ISO-8859-1), the same mapping the history uses.
 */
public final class RecordedClient {

    /** How one write ended. */
    public enum Outcome { OK, FAILED, UNKNOWN }

    /** Added to the client's own deadline before a call counts as hanging (a bug, never a timeout). */
    private static final Duration HANG_MARGIN = Duration.ofSeconds(15);

    private final int id;
    private final RegionKvClient client;
    private final HistoryRecorder recorder;

    RecordedClient(int id, RegionKvClient client, HistoryRecorder recorder) {
        this.id = id;
        this.client = client;
        this.recorder = recorder;
    }

    public int id() {
        return id;
    }

    /** The client underneath, for calls the history does not record (bad input, for one). */
    public RegionKvClient raw() {
        return client;
    }

    /** One put, with the client's own retries inside its deadline. */
    public Outcome put(String key, String value) {
        return write(recorder.invokePut(id, key, value), () -> client.put(bytes(key), bytes(value)));
    }

    /** One delete, with the client's own retries inside its deadline; recorded like {@link #put}. */
    public Outcome delete(String key) {
        return write(recorder.invokeDelete(id, key), () -> client.delete(bytes(key)));
    }

    /** Waits for a recorded write and records how it ended: a timeout is unknown unless the client knows it was not applied. */
    private Outcome write(HistoryRecorder.Handle h, java.util.function.Supplier<CompletionStage<?>> call) {
        try {
            await(call.get());
            h.ok();
            return Outcome.OK;
        } catch (RegionKvTimeoutException e) {
            if (e.outcomeUnknown()) {
                h.unknown();
                return Outcome.UNKNOWN;
            }
            h.fail(true);
            return Outcome.FAILED;
        } catch (RuntimeException | Error e) {
            h.unknown();
            throw e;
        }
    }

    /**
     * Puts until one attempt is acknowledged (TinyKV's MustPut). Retrying a put whose outcome is unknown is
     * safe here because the tests never write a key with two different values.
     *
     * @throws AssertionError if no attempt succeeds within {@code giveUpAfter}
     */
    public int mustPut(String key, String value, Duration giveUpAfter) {
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        int attempts = 0;
        while (true) {
            attempts++;
            if (put(key, value) == Outcome.OK) return attempts;
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("client " + id + ": put " + key + " not acknowledged after " + attempts
                        + " attempts in " + giveUpAfter);
            }
        }
    }

    /** The value of {@code key} (empty inner optional: absent); empty outer optional when the read failed. */
    public Optional<Optional<String>> get(String key) {
        HistoryRecorder.Handle h = recorder.invokeGet(id, key);
        try {
            Optional<ByteString> v = await(client.get(bytes(key)));
            Optional<String> s = v.map(RecordedClient::text);
            h.ok(s.orElse(null));
            return Optional.of(s);
        } catch (RegionKvTimeoutException e) {
            h.fail(true);
            return Optional.empty();
        } catch (RuntimeException | Error e) {
            h.fail(true);
            throw e;
        }
    }

    /** Reads until a read succeeds; the value, or empty when the key is absent. */
    public Optional<String> mustGet(String key, Duration giveUpAfter) {
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        while (true) {
            Optional<Optional<String>> r = get(key);
            if (r.isPresent()) return r.get();
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("client " + id + ": get " + key + " failed for " + giveUpAfter);
            }
        }
    }

    /**
     * Scans {@code [start, end)} in key order; empty when the scan failed. The history gets one read per
     * key of {@code keysOfInterest}, absent when the answer lacks it. Those must be every key anyone may
     * have written in the range: a key outside them in the answer is a value nobody wrote, and fails.
     */
    public Optional<List<KvPair>> scan(String start, String end, Collection<String> keysOfInterest) {
        Set<String> keys = new LinkedHashSet<>(keysOfInterest);
        HistoryRecorder.ScanHandle h = recorder.invokeScan(id, keys);
        List<KvPair> pairs;
        try {
            pairs = await(client.scan(bytes(start), bytes(end), Integer.MAX_VALUE));
        } catch (RegionKvTimeoutException e) {
            h.fail();
            return Optional.empty();
        } catch (RuntimeException | Error e) {
            h.fail();
            throw e;
        }
        Map<String, String> result = new LinkedHashMap<>();
        StringBuilder unexpected = new StringBuilder();
        for (KvPair p : pairs) {
            String k = text(p.key());
            if (keys.contains(k)) {
                result.put(k, text(p.value()));
            } else {
                unexpected.append(' ').append(k).append('=').append(text(p.value()));
            }
        }
        h.ok(result);
        if (unexpected.length() > 0) {
            throw new AssertionError("client " + id + ": scan [" + start + ", " + end
                    + ") returned keys nobody wrote:" + unexpected);
        }
        return Optional.of(pairs);
    }

    public List<KvPair> mustScan(String start, String end, Collection<String> keysOfInterest, Duration giveUpAfter) {
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        while (true) {
            Optional<List<KvPair>> r = scan(start, end, keysOfInterest);
            if (r.isPresent()) return r.get();
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("client " + id + ": scan [" + start + ", " + end + ") failed for "
                        + giveUpAfter);
            }
        }
    }

    public static ByteString bytes(String s) {
        return ByteString.copyFrom(s, StandardCharsets.ISO_8859_1);
    }

    public static String text(ByteString b) {
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private <T> T await(CompletionStage<T> stage) {
        long limit = client.settings().requestTimeout().plus(HANG_MARGIN).toMillis();
        try {
            return stage.toCompletableFuture().get(limit, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            throw new AssertionError("client " + id + ": an operation neither completed nor timed out within "
                    + limit + " ms (its deadline is " + client.settings().requestTimeout() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("client " + id + " interrupted", e);
        }
    }
}
