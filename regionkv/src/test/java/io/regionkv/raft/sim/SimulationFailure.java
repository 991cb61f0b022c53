package io.regionkv.raft.sim;

/** A schedule failed: carries its seed, how to replay it, the cluster's state and the last events. */
final class SimulationFailure extends AssertionError {
    final long seed;

    SimulationFailure(long seed, long step, String state, String trace, Throwable cause) {
        super("schedule seed=" + seed + " failed at step " + step + ": " + cause + "\n"
                + "replay: mvn -B test -Dtest=RaftSimulationTest -Dregionkv.test.args=\"-Draft.sim.seed=" + seed + "\"\n"
                + state + "last events:\n" + trace, cause);
        this.seed = seed;
    }
}
