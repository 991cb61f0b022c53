package io.regionkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import io.regionkv.proto.RaftCmdpb;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.RaftResponseHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.proto.RaftCmdpb.Response;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.RegionLookup;
import io.regionkv.transport.RegionLookupReply;
import io.regionkv.transport.StoreDirectory;
import io.regionkv.transport.StoreWire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's retry rules against scripted store inboxes on a one-node cluster: which store each
 * attempt goes to, what is resent and what is not, and when the client gives up.
 */
class RegionKvClientTest {

    private static final long SEED = Long.getLong("regionkv.test.seed", System.nanoTime());
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static ActorTestKit kit;
    private static StoreDirectory directory;
    /** Every test gets fresh store ids: the directory keeps what earlier tests registered. */
    private static final AtomicLong nextStoreId = new AtomicLong(100);

    private ScriptedStore a;
    private ScriptedStore b;
    private ScriptedStore c;
    private final List<ScriptedStore> stores = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        System.out.println("RegionKvClientTest seed " + SEED + " (replay: -Dregionkv.test.seed=" + SEED + ")");
        kit = ActorTestKit.create(ClusterSystems.SYSTEM_NAME, ClusterSystems.nodeConfig());
        Cluster cluster = Cluster.get(kit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        ClusterSystems.awaitUp(List.of(kit.system()), WAIT);
        directory = StoreDirectory.get(kit.system());
    }

    @AfterAll
    static void stopCluster() {
        kit.shutdownTestKit();
    }

    @BeforeEach
    void startStores() {
        a = store();
        b = store();
        c = store();
    }

    /** Stores of a finished test stay registered; make them neutral so they cannot confuse later tests. */
    @AfterEach
    void silenceStores() {
        for (ScriptedStore s : stores) {
            s.onCommand = (cmd, n) -> Optional.empty();
            s.onLookup = l -> Optional.of(new RegionLookupReply(s.storeId, Optional.empty(), Optional.empty()));
        }
    }

    private ScriptedStore store() {
        long id = nextStoreId.incrementAndGet();
        ScriptedStore s = new ScriptedStore(id);
        ActorRef<StoreWire> ref = kit.spawn(s.behavior(), "store-" + id);
        directory.register(id, ref);
        // Wait until the Receptionist lists it, so that the directory's subscription never sees it vanish.
        ServiceKey<StoreWire> key = StoreDirectory.serviceKey(id);
        ClusterSystems.awaitCondition("store " + id + " listed", WAIT, () -> {
            try {
                Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
                        kit.system().receptionist(), r -> Receptionist.find(key, r), Duration.ofSeconds(3),
                        kit.system().scheduler()).toCompletableFuture().get();
                return listing.getServiceInstances(key).contains(ref);
            } catch (InterruptedException | ExecutionException e) {
                return false;
            }
        });
        ClusterSystems.awaitCondition("store " + id + " in directory", WAIT, () -> directory.lookup(id).isPresent());
        stores.add(s);
        return s;
    }

    private ClientSettings settings() {
        return ClientSettings.defaults().withRequestTimeout(Duration.ofSeconds(5))
                .withBackoff(Duration.ofMillis(5), Duration.ofMillis(40))
                .withAttemptTimeoutForReads(Duration.ofMillis(300))
                .withInitialStores(List.of(a.storeId));
    }

    private RegionKvClient client(ClientSettings settings) {
        return new RegionKvClient(kit.system(), settings, new Random(SEED));
    }

    // ---- building regions and answers --------------------------------------------------------------

    private static ByteString k(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static Region region(long id, String start, String end, long version, ScriptedStore... on) {
        Region.Builder r = Region.newBuilder().setId(id).setStartKey(k(start)).setEndKey(k(end))
                .setRegionEpoch(RegionEpoch.newBuilder().setVersion(version).setConfVer(1));
        for (ScriptedStore s : on) r.addPeers(Peer.newBuilder().setId(id * 1000 + s.storeId).setStoreId(s.storeId));
        return r.build();
    }

    private static Peer peerOn(Region r, ScriptedStore s) {
        return r.getPeersList().stream().filter(p -> p.getStoreId() == s.storeId).findFirst().orElseThrow();
    }

    private static RaftCmdRequest withoutUuid(CommandEnvelope cmd) {
        RaftCmdRequest.Builder b = cmd.single().toBuilder();
        b.getHeaderBuilder().clearUuid();
        return b.build();
    }

    private static RaftCmdResponse.Builder answerTo(CommandEnvelope cmd) {
        return RaftCmdResponse.newBuilder()
                .setHeader(RaftResponseHeader.newBuilder().setUuid(cmd.single().getHeader().getUuid()));
    }

    /** Success: an empty response of the right type for each request. */
    private static Optional<RaftCmdResponse> ok(CommandEnvelope cmd) {
        RaftCmdResponse.Builder r = answerTo(cmd);
        for (Request q : cmd.single().getRequestsList()) {
            Response.Builder one = Response.newBuilder().setCmdType(q.getCmdType());
            switch (q.getCmdType()) {
                case Get -> one.setGet(RaftCmdpb.GetResponse.newBuilder().setNotFound(true));
                case Put -> one.setPut(RaftCmdpb.PutResponse.getDefaultInstance());
                case Delete -> one.setDelete(RaftCmdpb.DeleteResponse.getDefaultInstance());
                case Scan -> one.setScan(RaftCmdpb.ScanResponse.getDefaultInstance());
                default -> throw new AssertionError("unexpected " + q.getCmdType());
            }
            r.addResponses(one);
        }
        return Optional.of(r.build());
    }

    private static Optional<RaftCmdResponse> value(CommandEnvelope cmd, String v) {
        return Optional.of(answerTo(cmd).addResponses(Response.newBuilder().setCmdType(CmdType.Get)
                .setGet(RaftCmdpb.GetResponse.newBuilder().setValue(k(v)))).build());
    }

    private static Optional<RaftCmdResponse> error(CommandEnvelope cmd, Errorpb.Error.Builder e) {
        return Optional.of(answerTo(cmd).setHeader(answerTo(cmd).getHeaderBuilder().setError(e)).build());
    }

    private static Errorpb.Error.Builder notLeader(Optional<Peer> hint) {
        Errorpb.NotLeader.Builder nl = Errorpb.NotLeader.newBuilder();
        hint.ifPresent(nl::setLeader);
        return Errorpb.Error.newBuilder().setMessage("not leader").setNotLeader(nl);
    }

    /** A store that answers scans from its own sorted data, honouring start, end and limit. */
    private static Optional<RaftCmdResponse> scanFrom(CommandEnvelope cmd, TreeMap<String, String> data) {
        return scanInPieces(cmd, data, Integer.MAX_VALUE);
    }

    private static void answersLookups(ScriptedStore s, Region r, Optional<Peer> leader) {
        s.onLookup = l -> Optional.of(new RegionLookupReply(s.storeId, Optional.of(r), leader));
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
        return e.getCause();
    }

    private static CommandEnvelope next(ScriptedStore s) throws InterruptedException {
        CommandEnvelope cmd = s.commands.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(cmd != null, "store " + s.storeId + " got no command");
        return cmd;
    }

    /** Waits a little for anything more to arrive: a resend would come within one backoff. */
    private static void assertNothingMore(ScriptedStore s) throws InterruptedException {
        assertNull(s.commands.poll(300, TimeUnit.MILLISECONDS), "store " + s.storeId + " got an unexpected command");
    }

    // ---- the tests ---------------------------------------------------------------------------------

    @Test
    void looksUpTheRegionThenSendsToItsLeaderWithTheRegionHeader() throws Exception {
        Region r = region(1, "", "", 3, a, b, c);
        answersLookups(a, r, Optional.of(peerOn(r, b)));
        b.onCommand = (cmd, n) -> ok(cmd);
        RegionKvClient client = client(settings());

        await(client.put(k("key"), k("value")));

        RegionLookup lookup = a.lookups.poll();
        assertEquals(k("key"), lookup.key());
        CommandEnvelope cmd = next(b);
        assertEquals(1, cmd.single().getHeader().getRegionId());
        assertEquals(r.getRegionEpoch(), cmd.single().getHeader().getRegionEpoch());
        assertEquals(peerOn(r, b), cmd.single().getHeader().getPeer());
        assertEquals(16, cmd.single().getHeader().getUuid().size());
        Request put = cmd.single().getRequests(0);
        assertEquals(CmdType.Put, put.getCmdType());
        assertEquals(k("key"), put.getPut().getKey());
        assertEquals(k("value"), put.getPut().getValue());
        assertEquals("", put.getPut().getCf());
        assertTrue(a.commands.isEmpty() && c.commands.isEmpty());

        // The next operation on the region uses the cache: no second look-up.
        await(client.delete("lock", k("other")));
        assertEquals("lock", next(b).single().getRequests(0).getDelete().getCf());
        assertTrue(a.lookups.isEmpty());
    }

    @Test
    void notLeaderWithAHintSendsTheNextAttemptToTheHintedStore() throws Exception {
        Region r = region(1, "", "", 1, a, b, c);
        RegionKvClient client = client(settings());
        client.cache().update(r, Optional.of(peerOn(r, a)));
        a.onCommand = (cmd, n) -> error(cmd, notLeader(Optional.of(peerOn(r, c))));
        c.onCommand = (cmd, n) -> ok(cmd);

        await(client.put(k("x"), k("1")));

        next(a);
        assertEquals(peerOn(r, c), next(c).single().getHeader().getPeer());
        assertTrue(b.commands.isEmpty());
        assertEquals(c.storeId, client.cache().byId(1).get().leaderStoreId());
    }

    @Test
    void notLeaderWithoutAHintTriesTheOtherPeersInTurn() throws Exception {
        Region r = region(1, "", "", 1, a, b, c);
        RegionKvClient client = client(settings());
        client.cache().update(r, Optional.of(peerOn(r, a)));
        a.onCommand = (cmd, n) -> error(cmd, notLeader(Optional.empty()));
        b.onCommand = (cmd, n) -> error(cmd, notLeader(Optional.empty()));
        c.onCommand = (cmd, n) -> value(cmd, "found");

        assertEquals(Optional.of(k("found")), await(client.get(k("x"))));
        next(a);
        next(b);
        next(c);
        assertEquals(c.storeId, client.cache().byId(1).get().leaderStoreId(), "the store that answered leads");
    }

    @Test
    void staleCommandIsResentBecauseItWasDefinitelyNotApplied() throws Exception {
        Region r = region(1, "", "", 1, a, b, c);
        RegionKvClient client = client(settings());
        client.cache().update(r, Optional.of(peerOn(r, a)));
        a.onCommand = (cmd, n) -> n == 0
                ? error(cmd, Errorpb.Error.newBuilder().setStaleCommand(Errorpb.StaleCommand.getDefaultInstance()))
                : ok(cmd);

        await(client.put(k("x"), k("1")));

        CommandEnvelope first = next(a);
        CommandEnvelope second = next(a);
        // Each attempt carries its own uuid: it is how the answer finds the attempt waiting for it (ReplyRouter).
        assertNotEquals(first.single().getHeader().getUuid(), second.single().getHeader().getUuid());
        assertEquals(withoutUuid(first), withoutUuid(second), "the same command resent");
        assertNothingMore(a);
    }

    /** ServerIsBusy carries how long to wait: the retry to that store comes no sooner. */
    @Test
    void aBusyStoresBackoffHintIsWaitedBeforeTheRetry() throws Exception {
        Region r = region(1, "", "", 1, a, b, c);
        RegionKvClient client = client(settings());
        client.cache().update(r, Optional.of(peerOn(r, a)));
        a.onCommand = (cmd, n) -> n == 0
                ? error(cmd, Errorpb.Error.newBuilder().setServerIsBusy(
                        Errorpb.ServerIsBusy.newBuilder().setReason("flooded").setBackoffMs(400)))
                : ok(cmd);

        long t0 = System.nanoTime();
        await(client.put(k("x"), k("1")));
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;

        assertEquals(2, a.commands.size(), "refused once, then done");
        assertTrue(elapsedMs >= 400, "retried after " + elapsedMs + " ms, before the 400 ms the store asked for");
    }

    /** A store that stays busy: the call retries, then ends busy (typed) before its deadline, not as a timeout. */
    @Test
    void endlessRefusalsEndAsATypedBusyBeforeTheDeadline() throws Exception {
        Region r = region(1, "", "", 1, a, b, c);
        Duration timeout = Duration.ofMillis(700);
        RegionKvClient client = client(settings().withRequestTimeout(timeout));
        client.cache().update(r, Optional.of(peerOn(r, a)));
        a.onCommand = (cmd, n) -> error(cmd, Errorpb.Error.newBuilder()
                .setServerIsBusy(Errorpb.ServerIsBusy.newBuilder().setReason("compacting")));

        long t0 = System.nanoTime();
        Throwable e = failure(client.put(k("busy-key"), k("1")));
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;

        RegionKvBusyException be = assertInstanceOf(RegionKvBusyException.class, e);
        assertEquals("compacting", be.storeError().orElseThrow().getServerIsBusy().getReason());
        assertTrue(be.getMessage().contains("busy-key"), be.getMessage());
        assertTrue(elapsedMs < timeout.toMillis(), "ended after " + elapsedMs + " ms, at or past the deadline");
        assertTrue(a.commands.size() >= 3, "kept retrying: " + a.commands.size() + " attempts");
    }

    /** The busy budget ends the retries long before a distant deadline. */
    @Test
    void aBusyStoreEndsTheCallAfterTheBusyBudget() throws Exception {
        Region r = region(1, "", "", 1, a, b, c);
        RegionKvClient client = client(settings().withRequestTimeout(Duration.ofSeconds(30))
                .withBusyBudget(Duration.ofMillis(300)));
        client.cache().update(r, Optional.of(peerOn(r, a)));
        a.onCommand = (cmd, n) -> error(cmd, Errorpb.Error.newBuilder()
                .setServerIsBusy(Errorpb.ServerIsBusy.newBuilder().setReason("full").setBackoffMs(10)));

        long t0 = System.nanoTime();
        Throwable e = failure(client.put(k("busy-key"), k("1")));
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;

        assertInstanceOf(RegionKvBusyException.class, e);
        assertTrue(elapsedMs < 5_000, "ended after " + elapsedMs + " ms; the busy budget is 300 ms");
        assertTrue(a.commands.size() >= 2, "retried: " + a.commands.size() + " attempts");
    }

    @Test
    void anUnansweredWriteFailsAsOutcomeUnknownAndIsNeverResent() throws Exception {
        Region r = region(1, "", "", 1, a, b, c);
        RegionKvClient client = client(settings().withRequestTimeout(Duration.ofMillis(800)));
        client.cache().update(r, Optional.of(peerOn(r, a)));
        // a is silent (the default script).

        Throwable e = failure(client.put(k("x"), k("1")));

        RegionKvTimeoutException te = assertInstanceOf(RegionKvTimeoutException.class, e);
        assertTrue(te.outcomeUnknown());
        assertTrue(te.getMessage().contains("outcome is unknown"), te.getMessage());
        next(a);
        assertNothingMore(a);
        assertTrue(b.commands.isEmpty() && c.commands.isEmpty(), "not resent elsewhere either");
    }

    /** Takes the only slot of the client's window at store {@code s} with a command {@code s} never answers. */
    private static void holdTheWindow(RegionKvClient client, ScriptedStore s, Region r) {
        RaftCmdRequest blocker = RaftCmdRequest.newBuilder().setHeader(RaftRequestHeader.newBuilder()
                .setRegionId(r.getId()).setPeer(peerOn(r, s)).setRegionEpoch(r.getRegionEpoch())
                .setUuid(client.replies().nextUuid())).build();
        client.replies().send(directory.lookup(s.storeId).orElseThrow(), blocker,
                System.nanoTime() + Duration.ofMinutes(1).toNanos(), Duration.ofMinutes(1));
    }

    @Test
    void aWriteWhoseDeadlinePassesInTheClientsQueueFailsNeverSentWithAKnownOutcome() throws Exception {
        Region r = region(1, "", "", 1, a, b, c);
        RegionKvClient client = client(settings().withRequestTimeout(Duration.ofMillis(300)).withWindow(1, 10));
        client.cache().update(r, Optional.of(peerOn(r, a)));
        holdTheWindow(client, a, r);
        next(a); // the blocker, silent

        RegionKvTimeoutException te = assertInstanceOf(RegionKvTimeoutException.class, failure(client.put(k("x"), k("1"))));
        assertTrue(te.neverSent(), te.getMessage());
        assertFalse(te.outcomeUnknown(), "never sent, so not applied");
        assertNothingMore(a);
    }

    @Test
    void aFullClientQueueRefusesAtOnceAsBusyWithoutAStoreError() throws Exception {
        Region r = region(1, "", "", 1, a, b, c);
        RegionKvClient client = client(settings().withWindow(1, 0));
        client.cache().update(r, Optional.of(peerOn(r, a)));
        holdTheWindow(client, a, r);
        next(a);

        RegionKvBusyException be = assertInstanceOf(RegionKvBusyException.class, failure(client.put(k("x"), k("1"))));
        assertTrue(be.storeError().isEmpty(), "refused by the client, not by a store");
        assertNothingMore(a);
    }

    @Test
    void aStoreSideTimeoutOfAWriteIsOutcomeUnknownToo() throws Exception {
        Region r = region(1, "", "", 1, a, b, c);
        RegionKvClient client = client(settings());
        client.cache().update(r, Optional.of(peerOn(r, a)));
        a.onCommand = (cmd, n) -> error(cmd, Errorpb.Error.newBuilder().setMessage("proposal not applied in time")
                .setTimeout(Errorpb.Timeout.getDefaultInstance()));

        RegionKvTimeoutException te = assertInstanceOf(RegionKvTimeoutException.class,
                failure(client.delete(k("x"))));
        assertTrue(te.outcomeUnknown());
        assertEquals("delete", te.operation());
        next(a);
        assertNothingMore(a);
    }

    /** The kind is in the typed field: a refusal whose words mention a timeout is still a refusal. */
    @Test
    void aRefusalWhoseTextMentionsATimeoutIsARefusalNotAnUnknownOutcome() throws Exception {
        Region r = region(1, "", "", 1, a, b, c);
        RegionKvClient client = client(settings());
        client.cache().update(r, Optional.of(peerOn(r, a)));
        a.onCommand = (cmd, n) -> error(cmd, Errorpb.Error.newBuilder()
                .setMessage("invalid request: unknown column family 'timeout'")
                .setInvalid(Errorpb.Invalid.newBuilder().setReason(Errorpb.Invalid.Reason.UNKNOWN_COLUMN_FAMILY)));

        Throwable e = failure(client.put(k("x"), k("v")));

        assertEquals(RegionKvException.class, e.getClass(), String.valueOf(e));
        assertEquals(Errorpb.Invalid.Reason.UNKNOWN_COLUMN_FAMILY,
                ((RegionKvException) e).storeError().orElseThrow().getInvalid().getReason());
        next(a);
        assertNothingMore(a);
    }

    @Test
    void anUnansweredReadIsResentToTheNextPeer() throws Exception {
        Region r = region(1, "", "", 1, a, b, c);
        RegionKvClient client = client(settings());
        client.cache().update(r, Optional.of(peerOn(r, a)));
        b.onCommand = (cmd, n) -> value(cmd, "from-b");

        assertEquals(Optional.of(k("from-b")), await(client.get(k("x"))));

        CommandEnvelope first = next(a);
        CommandEnvelope second = next(b);
        assertEquals(first.single().getRequestsList(), second.single().getRequestsList());
        assertEquals(peerOn(r, b), second.single().getHeader().getPeer());
        assertTrue(c.commands.isEmpty());
    }

    @Test
    void epochNotMatchUpdatesTheCacheAndTheRetryGoesToTheNewRegion() throws Exception {
        Region whole = region(1, "", "", 1, a, b, c);
        Region left = region(1, "", "m", 2, a, b, c);
        Region right = region(2, "m", "", 2, a, b, c);
        RegionKvClient client = client(settings());
        client.cache().update(whole, Optional.of(peerOn(whole, a)));
        a.onCommand = (cmd, n) -> cmd.single().getHeader().getRegionEpoch().getVersion() == 1
                ? error(cmd, Errorpb.Error.newBuilder().setEpochNotMatch(
                        Errorpb.EpochNotMatch.newBuilder().addCurrentRegions(left).addCurrentRegions(right)))
                : ok(cmd);
        b.onCommand = (cmd, n) -> ok(cmd);

        await(client.put(k("x"), k("1")));

        assertEquals(1, next(a).single().getHeader().getRegionId());
        // Region 2 has no known leader: the client starts with the peer after the one it just used.
        CommandEnvelope retry = next(b);
        assertEquals(2, retry.single().getHeader().getRegionId());
        assertEquals(right.getRegionEpoch(), retry.single().getHeader().getRegionEpoch());
        assertEquals(List.of(left, right), client.cache().regions().stream().map(CachedRegion::region).toList());
        assertEquals(a.storeId, client.cache().byId(1).get().leaderStoreId(), "region 1 keeps its leader");
        assertTrue(a.lookups.isEmpty(), "the error itself told the client where the key is now");
    }

    @Test
    void keyNotInRegionDropsTheRegionAndLooksItUpAgain() throws Exception {
        Region stale = region(1, "", "", 1, a, b, c);
        Region fresh = region(2, "m", "", 2, b, c);
        RegionKvClient client = client(settings());
        client.cache().update(stale, Optional.of(peerOn(stale, a)));
        a.onCommand = (cmd, n) -> error(cmd, Errorpb.Error.newBuilder().setKeyNotInRegion(
                Errorpb.KeyNotInRegion.newBuilder().setKey(k("x")).setRegionId(1).setEndKey(k("m"))));
        answersLookups(a, fresh, Optional.of(peerOn(fresh, c)));
        c.onCommand = (cmd, n) -> value(cmd, "v");

        assertEquals(Optional.of(k("v")), await(client.get(k("x"))));

        next(a);
        assertEquals(k("x"), a.lookups.poll(WAIT.toSeconds(), TimeUnit.SECONDS).key());
        assertEquals(2, next(c).single().getHeader().getRegionId());
        assertTrue(client.cache().byId(1).isEmpty());
    }

    @Test
    void lookUpMovesOnToTheNextStoreWhenOneHoldsNoSuchRegion() throws Exception {
        Region r = region(5, "", "", 1, b, c);
        answersLookups(b, r, Optional.of(peerOn(r, c)));
        c.onCommand = (cmd, n) -> ok(cmd);
        RegionKvClient client = client(settings().withInitialStores(List.of(a.storeId, b.storeId)));

        await(client.put(k("x"), k("1")));

        assertEquals(1, a.lookups.size(), "a was asked first and holds nothing");
        assertEquals(1, b.lookups.size());
        assertEquals(5, next(c).single().getHeader().getRegionId());
    }

    @Test
    void aLaggingStoresLookUpAnswerDoesNotUndoNewerKnowledge() throws Exception {
        Region left = region(1, "", "m", 2, a, b, c);
        Region staleWhole = region(1, "", "", 1, a, b, c);
        Region right = region(2, "m", "", 2, a, b, c);
        RegionKvClient client = client(settings().withInitialStores(List.of(a.storeId, b.storeId)));
        client.cache().update(left, Optional.of(peerOn(left, a)));
        answersLookups(a, staleWhole, Optional.of(peerOn(staleWhole, a)));
        answersLookups(b, right, Optional.of(peerOn(right, c)));
        c.onCommand = (cmd, n) -> ok(cmd);

        await(client.put(k("x"), k("1")));

        assertEquals(2, next(c).single().getHeader().getRegionId());
        assertEquals(1, a.lookups.size(), "the stale answer is not asked for again and again");
        assertEquals(List.of(left, right), client.cache().regions().stream().map(CachedRegion::region).toList());
        assertTrue(a.commands.isEmpty());
    }

    @Test
    void scanWalksAcrossRegionsInKeyOrder() throws Exception {
        Region left = region(1, "", "m", 1, a);
        Region right = region(2, "m", "", 1, b);
        RegionKvClient client = client(settings());
        client.cache().update(left, Optional.of(peerOn(left, a)));
        client.cache().update(right, Optional.of(peerOn(right, b)));
        TreeMap<String, String> onA = new TreeMap<>(java.util.Map.of("a", "1", "c", "3", "k", "11"));
        TreeMap<String, String> onB = new TreeMap<>(java.util.Map.of("m", "13", "q", "17"));
        a.onCommand = (cmd, n) -> scanFrom(cmd, onA);
        b.onCommand = (cmd, n) -> scanFrom(cmd, onB);

        List<KvPair> all = await(client.scan(k("b"), ByteString.EMPTY, 10));
        assertEquals(List.of(new KvPair(k("c"), k("3")), new KvPair(k("k"), k("11")), new KvPair(k("m"), k("13")),
                new KvPair(k("q"), k("17"))), all);
        RaftCmdpb.ScanRequest first = next(a).single().getRequests(0).getScan();
        assertEquals(List.of(k("b"), k("m"), 10), List.of(first.getStartKey(), first.getEndKey(), first.getLimit()));
        RaftCmdpb.ScanRequest second = next(b).single().getRequests(0).getScan();
        assertEquals(List.of(k("m"), ByteString.EMPTY, 8),
                List.of(second.getStartKey(), second.getEndKey(), second.getLimit()), "only what is still wanted");

        // The limit is reached in the first region: the second is not asked.
        assertEquals(List.of(k("a"), k("c")), keys(await(client.scan(ByteString.EMPTY, ByteString.EMPTY, 2))));
        next(a);
        assertNothingMore(b);
        // The end lies in the first region: the second is not asked, and the end is passed on.
        assertEquals(List.of(k("a"), k("c")), keys(await(client.scan(ByteString.EMPTY, k("d"), 100))));
        assertEquals(k("d"), next(a).single().getRequests(0).getScan().getEndKey());
        assertNothingMore(b);
        // Limit 0 and an empty range answer at once.
        assertEquals(List.of(), await(client.scan(k("a"), k("z"), 0)));
        assertEquals(List.of(), await(client.scan(k("a"), k("a"), 5)));
        assertNothingMore(a);
    }

    /** Like {@link #scanFrom} but answers at most {@code perAnswer} pairs, with {@code more} when it stopped early. */
    private static Optional<RaftCmdResponse> scanInPieces(CommandEnvelope cmd, TreeMap<String, String> data, int perAnswer) {
        RaftCmdpb.ScanRequest q = cmd.single().getRequests(0).getScan();
        String start = q.getStartKey().toStringUtf8();
        String end = q.getEndKey().toStringUtf8();
        RaftCmdpb.ScanResponse.Builder kvs = RaftCmdpb.ScanResponse.newBuilder();
        for (var e : (end.isEmpty() ? data.tailMap(start, true) : data.subMap(start, end)).entrySet()) {
            if (kvs.getKvsCount() >= q.getLimit()) break;
            if (kvs.getKvsCount() >= perAnswer) {
                kvs.setMore(true);
                break;
            }
            kvs.addKvs(RaftCmdpb.KvPair.newBuilder().setKey(k(e.getKey())).setValue(k(e.getValue())));
        }
        return Optional.of(answerTo(cmd).addResponses(Response.newBuilder().setCmdType(CmdType.Scan).setScan(kvs))
                .build());
    }

    @Test
    void aScanTheStoreCutShortContinuesRightAfterItsLastKeyInTheSameRegion() throws Exception {
        Region left = region(1, "", "m", 1, a);
        Region right = region(2, "m", "", 1, b);
        RegionKvClient client = client(settings());
        client.cache().update(left, Optional.of(peerOn(left, a)));
        client.cache().update(right, Optional.of(peerOn(right, b)));
        TreeMap<String, String> onA = new TreeMap<>(java.util.Map.of("a", "1", "b", "2", "c", "3", "d", "4", "e", "5"));
        TreeMap<String, String> onB = new TreeMap<>(java.util.Map.of("m", "13", "n", "14", "o", "15"));
        a.onCommand = (cmd, n) -> scanInPieces(cmd, onA, 2);
        b.onCommand = (cmd, n) -> scanInPieces(cmd, onB, 2);

        assertEquals(List.of(k("a"), k("b"), k("c"), k("d"), k("e"), k("m"), k("n"), k("o")),
                keys(await(client.scan(ByteString.EMPTY, ByteString.EMPTY, 100))), "nothing skipped, nothing twice");
        assertEquals(ByteString.EMPTY, next(a).single().getRequests(0).getScan().getStartKey());
        RaftCmdpb.ScanRequest second = next(a).single().getRequests(0).getScan();
        assertEquals(k("b").concat(ByteString.copyFrom(new byte[] {0})), second.getStartKey(), "right after 'b'");
        assertEquals(98, second.getLimit(), "only what is still wanted");
        assertEquals(k("d").concat(ByteString.copyFrom(new byte[] {0})), next(a).single().getRequests(0).getScan().getStartKey());
        assertEquals(k("m"), next(b).single().getRequests(0).getScan().getStartKey(), "then the next region");
    }

    private static List<ByteString> keys(List<KvPair> pairs) {
        return pairs.stream().map(KvPair::key).toList();
    }

    @Test
    void scanAcrossAStaleSplitFollowsTheCurrentRegions() throws Exception {
        Region whole = region(1, "", "", 1, a);
        Region left = region(1, "", "m", 2, a);
        Region right = region(2, "m", "", 2, b);
        RegionKvClient client = client(settings());
        client.cache().update(whole, Optional.of(peerOn(whole, a)));
        TreeMap<String, String> onA = new TreeMap<>(java.util.Map.of("a", "1"));
        TreeMap<String, String> onB = new TreeMap<>(java.util.Map.of("x", "2"));
        a.onCommand = (cmd, n) -> cmd.single().getHeader().getRegionEpoch().getVersion() == 1
                ? error(cmd, Errorpb.Error.newBuilder().setEpochNotMatch(
                        Errorpb.EpochNotMatch.newBuilder().addCurrentRegions(left).addCurrentRegions(right)))
                : scanFrom(cmd, onA);
        b.onCommand = (cmd, n) -> scanFrom(cmd, onB);

        assertEquals(List.of(k("a"), k("x")), keys(await(client.scan(ByteString.EMPTY, ByteString.EMPTY, 10))));
        assertEquals(k("m"), next(b).single().getRequests(0).getScan().getStartKey());
    }

    @Test
    void aRefusalWithOnlyAMessageFailsAtOnceWithoutRetrying() throws Exception {
        Region r = region(1, "", "", 1, a, b, c);
        RegionKvClient client = client(settings());
        client.cache().update(r, Optional.of(peerOn(r, a)));
        a.onCommand = (cmd, n) -> error(cmd, Errorpb.Error.newBuilder().setMessage("value of 2000000 bytes exceeds 1048576"));

        Throwable e = failure(client.put(k("x"), ByteString.copyFrom(new byte[100])));

        assertEquals(RegionKvException.class, e.getClass());
        assertTrue(e.getMessage().contains("exceeds 1048576"), e.getMessage());
        // The store's error itself travels with the failure (the gRPC API attaches it as a status detail).
        assertEquals("value of 2000000 bytes exceeds 1048576",
                ((RegionKvException) e).storeError().orElseThrow().getMessage());
        next(a);
        assertNothingMore(a);
    }

    @Test
    void getOfAMissingKeyIsEmpty() throws Exception {
        Region r = region(1, "", "", 1, a);
        RegionKvClient client = client(settings());
        client.cache().update(r, Optional.of(peerOn(r, a)));
        a.onCommand = (cmd, n) -> ok(cmd);
        assertEquals(Optional.empty(), await(client.get("write", k("nope"))));
        Request get = next(a).single().getRequests(0);
        assertEquals(CmdType.Get, get.getCmdType());
        assertEquals("write", get.getGet().getCf());
    }

    @Test
    void badInputIsRefusedAtOnceAndSendsNothing() throws Exception {
        Region r = region(1, "", "", 1, a);
        answersLookups(a, r, Optional.of(peerOn(r, a)));
        RegionKvClient client = client(settings());
        assertThrows(IllegalArgumentException.class, () -> client.put(null, k("v")));
        assertThrows(IllegalArgumentException.class, () -> client.put(ByteString.EMPTY, k("v")));
        assertThrows(IllegalArgumentException.class, () -> client.put(k("k"), null));
        assertThrows(IllegalArgumentException.class, () -> client.put(null, k("k"), k("v")));
        assertThrows(IllegalArgumentException.class, () -> client.get(ByteString.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> client.get(null));
        assertThrows(IllegalArgumentException.class, () -> client.delete(ByteString.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> client.scan(k("a"), k("b"), -1));
        assertThrows(IllegalArgumentException.class, () -> client.scan(null, k("b"), 1));
        assertThrows(IllegalArgumentException.class, () -> client.scan(k("a"), null, 1));
        assertThrows(IllegalArgumentException.class, () -> client.scan(k("b"), k("a"), 1));
        assertNull(a.lookups.poll(300, TimeUnit.MILLISECONDS));
        assertTrue(a.commands.isEmpty());
    }

    @Test
    void anUnknownStoreIsSkippedWithoutSendingAnything() throws Exception {
        long ghost = nextStoreId.incrementAndGet(); // never registered
        Region r = Region.newBuilder(region(1, "", "", 1, a))
                .addPeers(0, Peer.newBuilder().setId(999).setStoreId(ghost)).build();
        RegionKvClient client = client(settings());
        client.cache().update(r, Optional.of(r.getPeers(0)));
        a.onCommand = (cmd, n) -> ok(cmd);

        await(client.put(k("x"), k("1")));

        assertEquals(peerOn(r, a), next(a).single().getHeader().getPeer());
        assertEquals(a.storeId, client.cache().byId(1).get().leaderStoreId(),
                "the unreachable leader was forgotten, the store that answered is remembered");
    }
}
