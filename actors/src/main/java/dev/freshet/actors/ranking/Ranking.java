package dev.freshet.actors.ranking;

import dev.freshet.actors.CborSerializable;
import java.util.List;

/** One answer to "what next" for a user. */
public record Ranking(String rankingId, String variant, List<RankedItem> items)
    implements CborSerializable {}
