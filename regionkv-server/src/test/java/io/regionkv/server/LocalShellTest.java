package io.regionkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.client.KvPair;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.scheduler.SchedulerReply;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class LocalShellTest {

    /** A sorted map with the client's argument rules, so the shell meets the same refusals. */
    static class MemoryBackend implements ShellBackend {
        final TreeMap<ByteString, ByteString> data = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
        final List<String> calls = new ArrayList<>();
        RuntimeException failNext;

        private <T> CompletionStage<T> answer(T value) {
            if (failNext != null) {
                RuntimeException e = failNext;
                failNext = null;
                return CompletableFuture.failedFuture(e);
            }
            return CompletableFuture.completedFuture(value);
        }

        private static void checkKey(ByteString key) {
            if (key.isEmpty()) throw new IllegalArgumentException("key must not be empty");
        }

        @Override
        public CompletionStage<Void> put(ByteString key, ByteString value) {
            calls.add("put");
            checkKey(key);
            data.put(key, value);
            return answer(null);
        }

        @Override
        public CompletionStage<Optional<ByteString>> get(ByteString key) {
            calls.add("get");
            checkKey(key);
            return answer(Optional.ofNullable(data.get(key)));
        }

        @Override
        public CompletionStage<Void> delete(ByteString key) {
            calls.add("delete");
            checkKey(key);
            data.remove(key);
            return answer(null);
        }

        @Override
        public CompletionStage<List<KvPair>> scan(ByteString start, ByteString end, int limit) {
            calls.add("scan " + start.toStringUtf8() + ".." + end.toStringUtf8() + " " + limit);
            var range = end.isEmpty() ? data.tailMap(start, true) : data.subMap(start, true, end, false);
            List<KvPair> out = new ArrayList<>();
            for (Map.Entry<ByteString, ByteString> e : range.entrySet()) {
                if (out.size() >= limit) break;
                out.add(new KvPair(e.getKey(), e.getValue()));
            }
            return answer(out);
        }

        @Override
        public String status() {
            calls.add("status");
            return "1 node, " + data.size() + " keys";
        }

        /** Split points, each a region boundary: regions are [boundary_i, boundary_i+1). */
        final TreeSet<ByteString> boundaries = new TreeSet<>(ByteString.unsignedLexicographicalComparator());

        @Override
        public CompletionStage<List<SchedulerReply.RegionInfo>> regions() {
            calls.add("regions");
            List<ByteString> edges = new ArrayList<>();
            edges.add(ByteString.EMPTY);
            edges.addAll(boundaries);
            edges.add(ByteString.EMPTY);
            List<SchedulerReply.RegionInfo> out = new ArrayList<>();
            for (int i = 0; i + 1 < edges.size(); i++) {
                Region r = Region.newBuilder().setId(i + 1).setStartKey(edges.get(i)).setEndKey(edges.get(i + 1))
                        .addPeers(Peer.newBuilder().setId(10 + i).setStoreId(1))
                        .addPeers(Peer.newBuilder().setId(20 + i).setStoreId(2))
                        .addPeers(Peer.newBuilder().setId(30 + i).setStoreId(3).setRole(PeerRole.Learner)).build();
                out.add(new SchedulerReply.RegionInfo(r, i == 0 ? Optional.of(r.getPeers(1)) : Optional.empty()));
            }
            return answer(out);
        }

        @Override
        public CompletionStage<Void> split(ByteString key) {
            calls.add("split");
            checkKey(key);
            if (!boundaries.add(key)) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("already a boundary"));
            }
            return answer(null);
        }

        @Override
        public CompletionStage<List<SchedulerReply.StoreInfo>> stores() {
            calls.add("stores");
            return answer(List.of(new SchedulerReply.StoreInfo(1, 100, 50, 40, 3, 2, io.regionkv.scheduler.StoreState.Up),
                    new SchedulerReply.StoreInfo(2, 100, 50, 40, 3, 1, io.regionkv.scheduler.StoreState.Down)));
        }

        @Override
        public CompletionStage<Void> transferLeader(long regionId, long storeId) {
            calls.add("transfer-leader " + regionId + " " + storeId);
            return answer(null);
        }

        @Override
        public CompletionStage<Void> addPeer(long regionId, long storeId) {
            calls.add("add-peer " + regionId + " " + storeId);
            return answer(null);
        }

        @Override
        public CompletionStage<Void> removePeer(long regionId, long storeId) {
            calls.add("remove-peer " + regionId + " " + storeId);
            return answer(null);
        }
    }

    private final MemoryBackend backend = new MemoryBackend();
    private int failures;

    @Test
    void storesAndMembershipCommands() throws IOException {
        assertEquals(lines("store 1 Up regions=3 leaders=2", "store 2 Down regions=3 leaders=1", "(2 stores)",
                "OK", "OK", "OK"),
                run(lines("stores", "transfer-leader 1 2", "add-peer 1 4", "remove-peer 1 3")));
        assertEquals(List.of("stores", "transfer-leader 1 2", "add-peer 1 4", "remove-peer 1 3"), backend.calls);
        assertEquals(lines("ERR usage: add-peer REGION STORE", "ERR STORE must be a whole number > 0, was 'x'",
                "ERR usage: remove-peer REGION STORE", "ERR REGION must be a whole number > 0, was '0'",
                "ERR usage: stores"),
                run(lines("add-peer 1", "transfer-leader 1 x", "remove-peer 1 2 3", "remove-peer 0 1", "stores 1")));
        backend.failNext = new io.regionkv.client.RegionKvException("region 1 has a membership change pending");
        assertEquals(lines("ERR region 1 has a membership change pending"), run(lines("add-peer 1 5")));
    }

    private String run(String input) throws IOException {
        return run(input, false, backend);
    }

    private String run(String input, boolean prompt, ShellBackend b) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        failures = new LocalShell(new BufferedReader(new StringReader(input)), out, b, prompt,
                Duration.ofMillis(500)).run();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String lines(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    @Test
    void putGetDeleteRoundTrip() throws IOException {
        String out = run(lines("put k1 v1", "get k1", "delete k1", "get k1", "delete k1"));
        assertEquals(lines("OK", "v1", "OK", "(nil)", "OK"), out);
        assertEquals(0, failures);
        assertTrue(backend.data.isEmpty());
    }

    @Test
    void valueIsTheRestOfTheLineWithItsSpaces() throws IOException {
        String out = run(lines("put greeting   hello,   wide  world  ", "get greeting", "put\ttab\tv a l", "get tab"));
        assertEquals(lines("OK", "hello,   wide  world  ", "OK", "v a l"), out);
    }

    @Test
    void utf8KeysAndValues() throws IOException {
        String out = run(lines("put ключ значение 🙂", "get ключ"));
        assertEquals(lines("OK", "значение 🙂"), out);
        assertEquals("значение 🙂", backend.data.get(ByteString.copyFromUtf8("ключ")).toStringUtf8());
    }

    @Test
    void scanPrintsPairsInKeyOrderThenTheCount() throws IOException {
        run(lines("put b 2", "put a 1", "put c three 3", "put d 4"));
        assertEquals(lines("a 1", "b 2", "c three 3", "d 4", "(4 keys)"), run(lines("scan \"\" \"\"")));
        assertEquals(lines("b 2", "c three 3", "(2 keys)"), run(lines("scan b d")));
        assertEquals(lines("a 1", "b 2", "(2 keys)"), run(lines("scan \"\" \"\" 2")));
        assertEquals(lines("c three 3", "d 4", "(2 keys)"), run(lines("scan c \"\"")));
        assertEquals(lines("(0 keys)", "(0 keys)"), run(lines("scan x y", "scan a z 0")));
        assertTrue(backend.calls.contains("scan .. " + LocalShell.DEFAULT_SCAN_LIMIT), backend.calls.toString());
    }

    @Test
    void badCommandsPrintErrAndTheLoopGoesOn() throws IOException {
        String out = run(lines("frobnicate", "put onlykey", "put", "get", "get a b", "delete", "scan a",
                "scan a b -1", "scan a b many", "scan a b 1 2", "status now", "get \"\"", "put k v"));
        String[] got = out.split("\n");
        assertEquals(13, got.length, out);
        assertEquals("ERR unknown command 'frobnicate' (try help)", got[0]);
        assertEquals("ERR usage: put KEY VALUE", got[1]);
        assertEquals("ERR usage: put KEY VALUE", got[2]);
        assertEquals("ERR usage: get KEY", got[3]);
        assertEquals("ERR usage: get KEY", got[4]);
        assertEquals("ERR usage: delete KEY", got[5]);
        assertEquals("ERR usage: scan START END [LIMIT]", got[6]);
        assertEquals("ERR LIMIT must be a whole number >= 0, was '-1'", got[7]);
        assertEquals("ERR LIMIT must be a whole number >= 0, was 'many'", got[8]);
        assertEquals("ERR usage: scan START END [LIMIT]", got[9]);
        assertEquals("ERR usage: status", got[10]);
        assertEquals("ERR key must not be empty", got[11], "the backend's refusal is printed");
        assertEquals("OK", got[12]);
        assertEquals(12, failures);
        assertEquals(1, backend.data.size(), "refused commands changed nothing");
    }

    @Test
    void backendFailureIsPrintedWithItsReason() throws IOException {
        backend.failNext = new IllegalStateException("region 7 has no leader");
        assertEquals(lines("ERR region 7 has no leader", "OK"), run(lines("put a 1", "put a 1")));
        assertEquals(1, failures);
    }

    @Test
    void aBackendThatNeverAnswersDoesNotHangTheShell() throws IOException {
        ShellBackend silent = new MemoryBackend() {
            @Override
            public CompletionStage<Optional<ByteString>> get(ByteString key) {
                return new CompletableFuture<>();
            }
        };
        assertEquals(lines("ERR no answer within 500 ms", "OK"), run(lines("get a", "put a 1"), false, silent));
    }

    @Test
    void blankLinesAndCommentsAreSkipped() throws IOException {
        assertEquals(lines("OK", "1"), run(lines("", "   ", "# a comment", "put a 1", "\t", "get a")));
        assertEquals(0, failures);
    }

    @Test
    void quitStopsReadingAndEofEndsTheSame() throws IOException {
        assertEquals(lines("OK"), run(lines("put a 1", "quit", "put b 2")));
        assertFalse(backend.data.containsKey(ByteString.copyFromUtf8("b")), "nothing after quit runs");
        assertEquals(lines("OK"), run(lines("put c 3", "EXIT", "put d 4")));
        assertEquals("OK\n5\n", run("put e 5\nget e"), "a last line without newline still runs, then EOF ends");
        assertEquals("", run(""));
    }

    @Test
    void regionsPrintsOneLinePerRegionThenTheCount() throws IOException {
        assertEquals(lines("OK", "ERR already a boundary", "region 1 [, m) leader=2 voters=1,2 learners=3",
                "region 2 [m, ) leader=? voters=1,2 learners=3", "(2 regions)"),
                run(lines("split m", "split m", "regions")));
        assertEquals(lines("ERR usage: split KEY", "ERR usage: regions"), run(lines("split", "regions x")));
    }

    @Test
    void statusAndHelp() throws IOException {
        run(lines("put a 1"));
        assertEquals(lines("1 node, 1 keys"), run(lines("status")));
        String help = run(lines("help"));
        for (String cmd : List.of("put KEY VALUE", "get KEY", "delete KEY", "scan START END [LIMIT]", "status",
                "help", "quit", "\"\"")) {
            assertTrue(help.contains(cmd), "help mentions " + cmd + ":\n" + help);
        }
    }

    @Test
    void promptOnlyWhenAskedFor() throws IOException {
        assertEquals("> OK\n> 1\n> \n", run(lines("put a 1", "get a"), true, backend));
        assertEquals(lines("OK", "1"), run(lines("put a 1", "get a"), false, backend));
        assertEquals("> OK\n> ", run(lines("put a 1", "quit"), true, backend));
    }
}
