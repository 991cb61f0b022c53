package io.regionkv.nemesis;

/** The faults the nemesis injects into a cluster of real server processes. */
enum FaultKind {
    /** SIGKILL of a random node, then a restart over its data. */
    KILL_RANDOM("kill random"),
    /** SIGKILL of the region's leader, then a restart over its data. */
    KILL_LEADER("kill leader"),
    /** SIGSTOP of a random node for longer than the election timeout, then SIGCONT. */
    PAUSE("pause"),
    /** The raft traffic of a random node cut both ways (the servers' partition switch), then healed. */
    PARTITION("partition"),
    /** SIGKILL of every node at once, then all restarted together. */
    KILL_ALL("kill all");

    final String label;

    FaultKind(String label) {
        this.label = label;
    }
}
