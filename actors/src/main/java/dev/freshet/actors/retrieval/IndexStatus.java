package dev.freshet.actors.retrieval;

/**
 * What an index reports of itself.
 *
 * @param kind {@code embedded} or {@code qdrant}
 * @param state {@code building}, {@code ready}, {@code empty} (no item has an embedding), {@code
 *     disabled}, or for a remote index the circuit breaker's {@code closed}, {@code open}, {@code
 *     half-open}
 * @param items items the index answers from (for a remote index: as far as this node has synced)
 * @param pending catalog changes received and not yet in the index
 * @param dimension the vectors' dimension, 0 until known
 * @param bytes memory the index takes on this node's heap (0 for a remote index)
 * @param lastBuildMillis how long the last full build or sync took
 * @param lastChangeAtMillis when the index last took a change (epoch millis), 0 if never
 */
public record IndexStatus(
    String kind,
    String state,
    int items,
    int pending,
    int dimension,
    long bytes,
    long lastBuildMillis,
    long lastChangeAtMillis) {}
