package io.regionkv.store.writer;

import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineKind;
import io.regionkv.store.StoreMetrics;
import io.regionkv.store.IoDispatcher;
import io.regionkv.transport.SendGate;
import org.apache.pekko.actor.typed.Behavior;

/**
 * The store's only writer of the kv environment: applied data with its apply state, region states, and
 * snapshot data, group-committed across peers (see {@link GroupCommitWriter}). Spawn it on
 * {@link IoDispatcher#KV_WRITER}.
 */
public final class KvWriter {
    private KvWriter() {}

    public static Behavior<WriterCommand> create(Engine kvEngine) {
        return create(kvEngine, WriterSettings.defaults());
    }

    public static Behavior<WriterCommand> create(Engine kvEngine, WriterSettings settings) {
        return create(kvEngine, settings, WriterMetrics.NONE);
    }

    /** Reports its commits to {@code metrics} (see {@link StoreMetrics}). */
    public static Behavior<WriterCommand> create(Engine kvEngine, WriterSettings settings, StoreMetrics metrics) {
        return create(kvEngine, settings, metrics.kvWriter());
    }

    /**
     * Also opens a round of {@code replyGate} around its answers to apply batches that
     * {@linkplain WriterCommand.Write#holdsSends hold sends}: their peers answer clients on them, and the
     * store's replies leave together once those peers are done ({@link io.regionkv.transport.ReplyOutbox}).
     */
    public static Behavior<WriterCommand> create(Engine kvEngine, WriterSettings settings, StoreMetrics metrics,
            SendGate replyGate) {
        checkKv(kvEngine);
        // A failed kv commit stops the peer that sent it, which restarts from disk; nothing to escalate.
        return GroupCommitWriter.create(CommitTarget.of(kvEngine), settings, metrics.kvWriter(),
                GroupCommitWriter::noEscalation, replyGate);
    }

    private static Behavior<WriterCommand> create(Engine kvEngine, WriterSettings settings, WriterMetrics metrics) {
        checkKv(kvEngine);
        return GroupCommitWriter.create(kvEngine, settings, metrics);
    }

    private static void checkKv(Engine kvEngine) {
        if (kvEngine.kind() != EngineKind.KV) {
            throw new IllegalArgumentException("the kv writer needs the kv environment, got " + kvEngine);
        }
    }
}
