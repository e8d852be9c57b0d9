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
