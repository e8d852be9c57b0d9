package dev.freshet.actors.pool;

import dev.freshet.actors.CborSerializable;

/**
 * What the coordinator asks a generator for: {@code count} new items, of {@code category} when it
 * is not {@code null}, on behalf of {@code users} users ({@code reason} says which thresholds they
 * crossed); {@code attempt} counts the tries of the same demand (1 = first).
 */
public record GenerationRequest(
    String id,
    String category,
    int count,
    boolean urgent,
    int users,
    String reason,
    int attempt,
    long createdAtMillis)
    implements CborSerializable {}
