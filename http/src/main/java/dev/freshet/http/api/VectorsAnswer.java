package dev.freshet.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.freshet.actors.retrieval.IndexStatus;
import dev.freshet.actors.retrieval.VectorIndex;
import dev.freshet.actors.retrieval.VectorLookup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v1/admin/vectors}: the vector indexes on this node, first choice first, and the
 * remote index's circuit breaker.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VectorsAnswer(String breaker, List<VectorsAnswer.Index> indexes) {

  /** One index's status (see {@link IndexStatus}). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Index(
      String kind,
      String state,
      int items,
      int pending,
      int dimension,
      long bytes,
      double bytesPerItem,
      long lastBuildMillis,
      String lastChangeAt) {

    static Index of(IndexStatus s) {
      return new Index(
          s.kind(),
          s.state(),
          s.items(),
          s.pending(),
          s.dimension(),
          s.bytes(),
          s.items() == 0 ? 0 : Math.round(10.0 * s.bytes() / s.items()) / 10.0,
          s.lastBuildMillis(),
          s.lastChangeAtMillis() == 0
              ? null
              : Instant.ofEpochMilli(s.lastChangeAtMillis()).toString());
    }
  }

  public static VectorsAnswer of(VectorLookup lookup) {
    List<Index> indexes = new ArrayList<>(2);
    lookup.remote().map(VectorIndex::status).map(Index::of).ifPresent(indexes::add);
    lookup.embedded().map(VectorIndex::status).map(Index::of).ifPresent(indexes::add);
    return new VectorsAnswer(lookup.breakerState().orElse(null), List.copyOf(indexes));
  }
}
