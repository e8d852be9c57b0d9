package dev.freshet.actors;

/**
 * Marker for every message, event and snapshot that crosses a node boundary or reaches the journal.
 * Bound to Jackson CBOR in {@code reference.conf}, as in Pekko's own samples.
 */
public interface CborSerializable {}
