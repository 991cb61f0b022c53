package io.regionkv.testkit;

/**
 * The verdict on one key's sub-history.
 *
 * @param operations operations searched: pending reads, and pending writes of values no read returned, are
 *     dropped first, since they cannot change the verdict
 * @param statesVisited distinct (linearized set, value) configurations the search cached
 * @param explanation empty when OK; why not otherwise
 */
public record KeyResult(
        String key, CheckResult.Outcome outcome, int operations, long statesVisited, long elapsedNanos,
        String explanation) {

    @Override
    public String toString() {
        return "key '" + key + "': " + outcome + " (" + operations + " ops, " + statesVisited + " states, "
                + elapsedNanos / 1_000_000 + " ms)" + (explanation.isEmpty() ? "" : ": " + explanation);
    }
}
