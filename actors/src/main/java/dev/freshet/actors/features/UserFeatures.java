package dev.freshet.actors.features;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A user's real-time features, updated by every interaction: category and tag affinity with
 * exponential decay, counters by interaction type and by intent, dwell statistics, the current
 * session, the user vector and the vector an outside model pushed. Mutated only by the entity's
 * event handler.
 */
public final class UserFeatures {

  private final DecayedValues categories;
  private final DecayedValues tags;
  private final DecayedValues notInterested;
  private final long[] counts;
  private final Map<String, Long> intents;
  private long dwellCount;
  private long dwellTotalMillis;
  private long dwellMaxMillis;
  private final Session session;
  private final UserVector vector;
  private Persona persona;
  private final ItemWeights foldIn;
  private PushedVector pushed;

  public UserFeatures() {
    this(
        new DecayedValues(),
        new DecayedValues(),
        new DecayedValues(),
        new long[InteractionType.values().length],
        new TreeMap<>(),
        0,
        0,
        0,
        new Session(),
        new UserVector(),
        null,
        new ItemWeights(),
        null);
  }

  @JsonCreator
  public UserFeatures(
      @JsonProperty("categories") DecayedValues categories,
      @JsonProperty("tags") DecayedValues tags,
      @JsonProperty("notInterested") DecayedValues notInterested,
      @JsonProperty("counts") long[] counts,
      @JsonProperty("intents") Map<String, Long> intents,
      @JsonProperty("dwellCount") long dwellCount,
      @JsonProperty("dwellTotalMillis") long dwellTotalMillis,
      @JsonProperty("dwellMaxMillis") long dwellMaxMillis,
      @JsonProperty("session") Session session,
      @JsonProperty("vector") UserVector vector,
      @JsonProperty("persona") Persona persona,
      @JsonProperty("foldIn") ItemWeights foldIn,
      @JsonProperty("pushed") PushedVector pushed) {
    this.categories = categories;
    this.tags = tags;
    this.notInterested = notInterested == null ? new DecayedValues() : notInterested;
    // interaction types are only ever appended, so older snapshots have a prefix of the counters
    this.counts = Arrays.copyOf(counts, InteractionType.values().length);
    this.intents = new TreeMap<>(intents);
    this.dwellCount = dwellCount;
    this.dwellTotalMillis = dwellTotalMillis;
    this.dwellMaxMillis = dwellMaxMillis;
    this.session = session;
    this.vector = vector;
    this.persona = persona;
    // snapshots from before collaborative filtering have none: the next interactions fill it
    this.foldIn = foldIn == null ? new ItemWeights() : foldIn;
    // snapshots from before pushed vectors have none, like users nothing was pushed for
    this.pushed = pushed;
  }

  /** Replaces the vector an outside model pushed for the user. */
  public void setPushed(PushedVector pushed) {
    this.pushed = pushed;
  }

  /** The vector an outside model pushed for the user, or {@code null}. */
  @JsonProperty("pushed")
  public PushedVector pushed() {
    return pushed;
  }

  /** Replaces the cold-start persona. */
  public void setPersona(Persona persona) {
    this.persona = persona;
  }

  /**
   * The persona, or {@code null}; it speaks for the user only while {@link #hasHistory()} is false.
   */
  public Persona persona() {
    return persona;
  }

  /** Applies one interaction; {@code embedding} is the item's (or {@code null}). */
  public void apply(Interaction i, float[] embedding, FeatureSettings settings) {
    counts[i.type().ordinal()]++;
    if (i.intent() != null) intents.merge(Intent.bucket(i.intent()), 1L, Long::sum);
    if (Intent.aboutTaste(i.intent()) && i.category() != null) {
      notInterested.add(
          i.category(), 1.0, i.at(), settings.halfLifeMillis(), settings.maxCategories());
    }
    if (i.type() == InteractionType.DWELL && i.value() != null) {
      dwellCount++;
      dwellTotalMillis += i.value();
      dwellMaxMillis = Math.max(dwellMaxMillis, i.value());
    }
    double delta = settings.signals().affinityDelta(i);
    if (delta != 0.0) {
      if (i.category() != null) {
        categories.add(
            i.category(), delta, i.at(), settings.halfLifeMillis(), settings.maxCategories());
      }
      for (String tag : i.tags())
        tags.add(tag, delta, i.at(), settings.halfLifeMillis(), settings.maxTags());
    }
    vector.add(embedding, delta, i.at(), settings.halfLifeMillis());
    foldIn.add(i.itemId(), delta, settings.foldInItems());
    boolean engaged = delta > 0;
    session.onEvent(
        i.at(), engaged ? i.itemId() : -1, settings.sessionGapMillis(), settings.sessionItems());
  }

  /**
   * Counts impressions recorded through the impressions endpoint: they belong to the session too.
   */
  public void countImpressions(int n, long at, FeatureSettings settings) {
    counts[InteractionType.IMPRESSION.ordinal()] += n;
    session.onEvent(at, -1, settings.sessionGapMillis(), settings.sessionItems());
  }

  public double categoryAffinity(String category, long now, long halfLifeMillis) {
    return categories.get(category, now, halfLifeMillis);
  }

  /**
   * Category affinities at {@code now} relative to the strongest one (or to {@code minScale} when
   * that is larger), for a ranking to look up per candidate.
   */
  public Map<String, Double> relativeCategoryAffinity(
      long now, long halfLifeMillis, double minScale) {
    return categories.scaled(
        now, halfLifeMillis, Math.max(minScale, categories.maxAbs(now, halfLifeMillis)));
  }

  /** Tag affinities at {@code now} relative to the strongest one (or {@code minScale}). */
  public Map<String, Double> relativeTagAffinity(long now, long halfLifeMillis, double minScale) {
    return tags.scaled(now, halfLifeMillis, Math.max(minScale, tags.maxAbs(now, halfLifeMillis)));
  }

  /** Decayed "not interested" counts per category at {@code now}. */
  public Map<String, Double> notInterestedByCategory(long now, long halfLifeMillis) {
    return notInterested.scaled(now, halfLifeMillis, 1.0);
  }

  public double tagAffinity(String tag, long now, long halfLifeMillis) {
    return tags.get(tag, now, halfLifeMillis);
  }

  /** True when the user has any interaction (other than impressions) in their history. */
  public boolean hasHistory() {
    for (InteractionType type : InteractionType.values()) {
      if (type != InteractionType.IMPRESSION && counts[type.ordinal()] > 0) return true;
    }
    return false;
  }

  public long count(InteractionType type) {
    return counts[type.ordinal()];
  }

  public Session session() {
    return session;
  }

  public float[] vector() {
    return vector.mean();
  }

  /**
   * The items a collaborative-filtering vector is folded in from, with their weights; read-only to
   * all but {@link #apply}.
   */
  @JsonProperty("foldIn")
  public ItemWeights foldIn() {
    return foldIn;
  }

  /**
   * The features as people read them, decayed to {@code now}; {@code lastImpressionAt} (epoch
   * millis, 0 for never) is the entity's to tell.
   */
  public FeatureSummary summary(long now, FeatureSettings settings, long lastImpressionAt) {
    Map<String, Long> byType = new LinkedHashMap<>();
    for (InteractionType type : InteractionType.values()) {
      if (counts[type.ordinal()] > 0) byType.put(type.wire(), counts[type.ordinal()]);
    }
    return new FeatureSummary(
        lastImpressionAt == 0 ? null : Instant.ofEpochMilli(lastImpressionAt).toString(),
        rounded(categories.snapshot(now, settings.halfLifeMillis())),
        rounded(tags.snapshot(now, settings.halfLifeMillis())),
        byType,
        Map.copyOf(intents),
        new FeatureSummary.Dwell(
            dwellCount, dwellCount == 0 ? 0 : dwellTotalMillis / dwellCount, dwellMaxMillis),
        new FeatureSummary.CurrentSession(
            session.activeAt(now, settings.sessionGapMillis()),
            session.events(),
            session.startedAt() == 0 ? null : Instant.ofEpochMilli(session.startedAt()).toString()),
        vector.mean() != null,
        persona == null
            ? null
            : new FeatureSummary.PersonaInUse(
                persona.categories(), persona.tags(), persona.vector() != null, !hasHistory()),
        pushed == null
            ? null
            : new FeatureSummary.Pushed(
                pushed.source(),
                Instant.ofEpochMilli(pushed.atMillis()).toString(),
                pushed.vector().length));
  }

  private static Map<String, Double> rounded(Map<String, Double> values) {
    Map<String, Double> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, Math.round(v * 1_000.0) / 1_000.0));
    return out;
  }

  @JsonProperty("categories")
  DecayedValues categories() {
    return categories;
  }

  @JsonProperty("tags")
  DecayedValues tags() {
    return tags;
  }

  @JsonProperty("notInterested")
  DecayedValues notInterestedState() {
    return notInterested;
  }

  @JsonProperty("counts")
  long[] counts() {
    return counts;
  }

  @JsonProperty("intents")
  Map<String, Long> intents() {
    return intents;
  }

  @JsonProperty("dwellCount")
  long dwellCount() {
    return dwellCount;
  }

  @JsonProperty("dwellTotalMillis")
  long dwellTotalMillis() {
    return dwellTotalMillis;
  }

  @JsonProperty("dwellMaxMillis")
  long dwellMaxMillis() {
    return dwellMaxMillis;
  }

  @JsonProperty("session")
  Session sessionState() {
    return session;
  }

  @JsonProperty("vector")
  UserVector vectorState() {
    return vector;
  }
}
