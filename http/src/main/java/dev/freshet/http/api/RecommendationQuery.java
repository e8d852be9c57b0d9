package dev.freshet.http.api;

import dev.freshet.actors.ranking.RankingRequest;
import dev.freshet.actors.ranking.RankingSettings;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Validates the query of {@code GET /v1/users/{id}/recommendations} into a ranking request. */
public final class RecommendationQuery {

  static final int DEFAULT_K = 20;
  static final int MAX_K = 200;
  static final int MAX_EXCLUDE = 1_000;

  private RecommendationQuery() {}

  public static RankingRequest parse(Map<String, String> query, RankingSettings ranking) {
    return parse(query, ranking, false);
  }

  /**
   * The request; {@code asOf} (an ISO-8601 instant or epoch milliseconds: rank as of that time, for
   * evaluation) only when {@code mayRankAsOf}, i.e. for an admin key, else 403.
   */
  public static RankingRequest parse(
      Map<String, String> query, RankingSettings ranking, boolean mayRankAsOf) {
    RankingRequest request = parseNow(query, ranking);
    String asOf = query.get("asOf");
    if (asOf == null || asOf.isEmpty()) return request;
    if (!mayRankAsOf)
      throw new ApiException(
          403, "forbidden", "asOf is for evaluation and needs an admin key", "asOf");
    return request.asOf(asOfMillis(asOf));
  }

  private static long asOfMillis(String value) {
    try {
      long millis = Long.parseLong(value);
      if (millis >= 0 && millis <= MAX_AS_OF.toEpochMilli()) return millis;
    } catch (NumberFormatException notMillis) {
      Optional<java.time.Instant> at = Fields.instant(value);
      if (at.isPresent()
          && !at.get().isBefore(java.time.Instant.EPOCH)
          && !at.get().isAfter(MAX_AS_OF)) return at.get().toEpochMilli();
    }
    throw ApiException.invalid(
        "asOf", "asOf must be an ISO-8601 instant or epoch milliseconds from 1970 to 9999");
  }

  private static final java.time.Instant MAX_AS_OF =
      java.time.Instant.parse("9999-12-31T23:59:59Z");

  private static RankingRequest parseNow(Map<String, String> query, RankingSettings ranking) {
    int k = k(query.get("k"));
    Optional<String> category = category(query.get("category"));
    Set<String> exclude = new LinkedHashSet<>();
    String excludeParam = query.get("exclude");
    if (excludeParam != null && !excludeParam.isEmpty()) {
      String[] ids = excludeParam.split(",", -1);
      if (ids.length > MAX_EXCLUDE) {
        throw ApiException.invalid("exclude", "exclude allows at most " + MAX_EXCLUDE + " ids");
      }
      for (int i = 0; i < ids.length; i++) exclude.add(Fields.id("exclude[" + i + "]", ids[i]));
    }
    Optional<String> variant =
        Optional.ofNullable(query.get("variant"))
            .filter(v -> !v.isEmpty())
            .map(v -> Fields.text("variant", v, 128));
    if (variant.isPresent() && ranking.variantNamed(variant.get()).isEmpty()) {
      throw ApiException.invalid("variant", "variant " + variant.get() + " is not configured");
    }
    return new RankingRequest(k, category, exclude, explain(query.get("explain")), variant);
  }

  public static Optional<String> category(String value) {
    return Optional.ofNullable(value)
        .filter(c -> !c.isEmpty())
        .map(c -> Fields.text("category", c, 128));
  }

  public static int k(String value) {
    return Fields.boundedInt("k", value, DEFAULT_K, MAX_K);
  }

  private static boolean explain(String value) {
    if (value == null || value.equals("false")) return false;
    if (value.equals("true") || value.isEmpty()) return true;
    throw ApiException.invalid("explain", "explain must be true or false");
  }
}
