package dev.freshet.actors.ranking;

import dev.freshet.actors.CborSerializable;
import java.util.Map;

/**
 * One served candidate. {@code position} is 1-based; {@code explain} maps feature name to its
 * contribution to {@code score} and is empty unless asked for.
 */
public record RankedItem(
    String id, double score, int position, String reason, Map<String, Double> explain)
    implements CborSerializable {}
