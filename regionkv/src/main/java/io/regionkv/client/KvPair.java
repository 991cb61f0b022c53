package io.regionkv.client;

import com.google.protobuf.ByteString;

/** One key and its value, as returned by a scan. */
public record KvPair(ByteString key, ByteString value) {}
