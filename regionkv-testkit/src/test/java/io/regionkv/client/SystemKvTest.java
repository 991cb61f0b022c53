package io.regionkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.engine.Db;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Clients cannot name the {@code sys} column family; the cluster's own state is only for internal callers. */
class SystemKvTest {

    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create(io.regionkv.testkit.ClusterSystems.SYSTEM_NAME,
                io.regionkv.testkit.ClusterSystems.nodeConfig());
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void theSysColumnFamilyIsRefusedToClients() {
        RegionKvClient client = RegionKvClient.create(kit.system());
        ByteString k = ByteString.copyFromUtf8("scheduler/id-mark");
        assertThrows(IllegalArgumentException.class, () -> client.put("sys", k, ByteString.copyFromUtf8("x")));
        assertThrows(IllegalArgumentException.class, () -> client.get("sys", k));
        assertThrows(IllegalArgumentException.class, () -> client.delete("sys", k));
        assertThrows(IllegalArgumentException.class, () -> client.scan("sys", ByteString.EMPTY, ByteString.EMPTY, 1));
        // The store's door does accept it: SystemKv's writes come through the same door.
        assertEquals(java.util.Optional.of(Db.SYS), Db.commandColumnFamily("sys"));
    }
}
