package io.regionkv.server;

import io.regionkv.transport.RaftTransport;
import io.regionkv.transport.RaftTransportDecorator;
import io.regionkv.store.IoDispatcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import scala.concurrent.ExecutionContextExecutor;
import org.slf4j.LoggerFactory;

/**
 * TEST ONLY: the switch through which a test cuts a real server process off the raft network. The server
 * (which names this class in {@code regionkv.raft-transport-decorator}) wraps its transport in an
 * {@link IsolatingTransport} only when {@code regionkv.testing.partition-file}
 * names a file; this class re-reads that file every poll interval and isolates exactly the store ids it
 * lists (whitespace-separated; a missing or empty file heals). Why a file: the test and every server JVM
 * share a disk but no memory, and partitioning loopback sockets would need root (network namespaces).
 *
 * <p>The cut is at the {@link RaftTransport} seam, so it drops raft messages and snapshot chunks between
 * stores, not Pekko cluster heartbeats or client commands: a cut store stays a cluster member, its raft
 * groups lose their quorum, exactly the fault raft must survive.
 */
public final class PartitionFile implements RaftTransportDecorator {

    public static final String FILE_SETTING = "regionkv.testing.partition-file";
    public static final String POLL_SETTING = "regionkv.testing.partition-poll-interval";

    private static final Logger LOG = LoggerFactory.getLogger(PartitionFile.class);

    /** Made by {@code RegionKV.get} through {@code regionkv.raft-transport-decorator}. */
    public PartitionFile() {}

    @Override
    public RaftTransport decorate(ActorSystem<?> system, RaftTransport transport) {
        return wrapIfEnabled(system, transport);
    }

    /**
     * {@code transport} itself when the switch is off; else an isolating wrapper whose cut set
     * follows the file, polled on the I/O dispatcher (reading a file may block).
     */
    public static RaftTransport wrapIfEnabled(ActorSystem<?> system, RaftTransport transport) {
        String file = system.settings().config().getString(FILE_SETTING);
        if (file.isBlank()) return transport;
        Duration poll = system.settings().config().getDuration(POLL_SETTING);
        IsolatingTransport isolating = new IsolatingTransport(transport);
        ExecutionContextExecutor io = system.dispatchers().lookup(IoDispatcher.SELECTOR);
        Path path = Path.of(file);
        Set<Long> applied = new HashSet<>();
        system.scheduler().scheduleWithFixedDelay(Duration.ZERO, poll, () -> {
            Set<Long> now = read(path);
            if (now == null || now.equals(applied)) return;
            isolating.cutExactly(now);
            LOG.warn("test partition switch {}: raft traffic of stores {} is cut", path, now);
            applied.clear();
            applied.addAll(now);
        }, io);
        LOG.warn("test partition switch enabled: {} decides which stores are cut off", path);
        return isolating;
    }

    /** The store ids in {@code path}; empty when it is missing; {@code null} (keep the last) when unreadable. */
    static Set<Long> read(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Set.of();
        } catch (IOException e) {
            LOG.warn("cannot read the test partition switch {}: {}", path, e.toString());
            return null;
        }
        Set<Long> ids = new HashSet<>();
        for (String word : text.trim().split("\\s+")) {
            if (word.isEmpty()) continue;
            try {
                ids.add(Long.parseLong(word));
            } catch (NumberFormatException e) {
                LOG.warn("ignoring '{}' in the test partition switch {}: not a store id", word, path);
            }
        }
        return ids;
    }
}
