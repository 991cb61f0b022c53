package io.regionkv.scheduler;

import java.util.List;

/**
 * What a checker proposes for one region, before the scheduler makes it an {@link Operator}. An
 * {@link OpStep.AddPeer} in it has peer id 0: the scheduler fills in a fresh id when it accepts the plan.
 */
record Plan(long regionId, String source, List<OpStep> steps) {
    Plan {
        steps = List.copyOf(steps);
    }
}
