package io.regionkv.raft;

import io.regionkv.proto.Eraftpb.ConfState;
import io.regionkv.proto.Eraftpb.HardState;

/** What a {@link Storage} restores on start: the persisted hard state and the membership. */
public record InitialState(HardState hardState, ConfState confState) {}
