package io.regionkv.example.inventory;

/**
 * Marks the messages that cross nodes (to and from the singleton keeper); reference.conf binds it to
 * Pekko's Jackson CBOR serializer.
 */
public interface CborSerializable {}
