/**
 * Test infrastructure: recording client histories and checking them for linearizability against the KV
 * model (each key a register: PUT, GET, DELETE).
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
