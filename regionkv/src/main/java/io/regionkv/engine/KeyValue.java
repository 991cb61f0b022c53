package io.regionkv.engine;

/** A key and its value, copied out of LMDB (safe to keep after the read view closed). */
public record KeyValue(byte[] key, byte[] value) {}
