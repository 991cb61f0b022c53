/**
 * RegionKV's testkit: multi-node tests of an application that embeds RegionKV, in one JVM.
 *
 * <p>{@link io.regionkv.testkit.TestCluster} starts N store nodes, each an ActorSystem running the
 * application's guardian ({@code Options.withGuardian}) with its own store, data directory (removed at
 * close) and configuration ({@code Options.withNodeConfig}), plus a client node that never stops. Its
 * {@link io.regionkv.testkit.NetworkFaults} act where raft messages leave a store
 * ({@link io.regionkv.testkit.FaultInjectingTransport}): partitions, one-way cuts, drops, delays and
 * duplicates drawn from the printed seed. {@code crash(id)} and {@code restart(id)} stop a node without
 * shutdown and start it on the same data; {@code awaitLeader}, {@code awaitReplicated} and
 * {@code awaitQuiet} wait for the cluster; {@code testKit(id)} is Pekko's ActorTestKit on a node.
 *
 * <p>Histories: recording client histories and checking them for linearizability against the KV model
 * (each key a register: PUT, GET, DELETE); {@link io.regionkv.testkit.Linearizability} turns the verdict
 * into an assertion whose failure names the key and the smallest failing window of operations.
 *
 * <p>A cluster test records while its clients run and checks afterwards:
 *
 * <pre>{@code
 * HistoryRecorder recorder = new HistoryRecorder();
 * // in each client thread, around each request:
 * HistoryRecorder.Handle h = recorder.invokePut(clientId, key, value);
 * try {
 *     client.put(key, value).toCompletableFuture().get(2, SECONDS);
 *     h.ok();
 * } catch (TimeoutException e) {
 *     h.unknown();                          // may still take effect
 * } catch (ExecutionException e) {
 *     h.fail(isDefinitelyNotApplied(e));    // e.g. NotLeader before proposing: true
 * }
 * // reads: recorder.invokeGet(clientId, key) ... h.ok(valueOrNull)
 * // scans: recorder.invokeScan(clientId, keysInRange) ... h.ok(resultMap)
 *
 * CheckResult result = new LinearizabilityChecker().check(recorder.history());
 * assertEquals(CheckResult.Outcome.OK, result.outcome(), result::toString);
 * }</pre>
 *
 * <p>Write unique values (e.g. client id and sequence number): a stale or lost write is then visible as such,
 * and the search stays small. ILLEGAL proves a violation; UNKNOWN means a key's search ran out of its time or
 * memory budget, which with unique values and tens of clients per key should not happen.
 */
package io.regionkv.testkit;
