package io.regionkv.raft;

/** Volatile state worth reporting to the application: who leads, and our role. Not persisted. */
public record SoftState(long lead, StateType state) {}
