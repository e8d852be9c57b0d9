package dev.freshet.actors.pool;

import dev.freshet.actors.CborSerializable;

/**
 * A user's coverage crossed {@code threshold}: {@code wanted} new items would keep the user fresh.
 * {@code category} names the user's favourite category when that category is running as low
 * (otherwise {@code null}: any category will do).
 */
public record PoolLowSignal(
    String userId,
    double threshold,
    int wanted,
    boolean urgent,
    String category,
    Freshness freshness,
    long atMillis)
    implements CborSerializable {}
