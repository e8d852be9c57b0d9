package dev.freshet.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.Persona;
import dev.freshet.actors.user.Favorites;
import dev.freshet.actors.user.UserEntity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.persistence.query.EventEnvelope;

/**
 * {@code GET /v1/users/{id}/export} (SPEC C10, access): everything stored about the user. The live
 * state as the entity holds it, the favourites, every journal event as a person can read it (items
 * by catalog id, {@code null} for an item deleted since), and the user's rows of every read model
 * as PostgreSQL renders them.
 */
public record PrivacyExport(
    String userId,
    String exportedAt,
    boolean consent,
    PrivacyExport.PersonaAnswer persona,
    PrivacyExport.State state,
    List<PrivacyExport.Favorite> favorites,
    List<PrivacyExport.JournalEvent> journal,
    PrivacyExport.ReadModels readModels,
    JsonNode rankings,
    JsonNode favoriteShares) {

  /** What the user told us: categories, tags and the vector ({@code null} when none). */
  public record PersonaAnswer(List<String> categories, List<String> tags, float[] vector) {
    static PersonaAnswer of(Persona p) {
      return new PersonaAnswer(p.categories(), p.tags(), p.vector());
    }
  }

  /**
   * The live state's figures (those of {@code GET …/state}), every seen item, the vector of the
   * user's engagements and the one an outside model pushed (absent when none was).
   */
  public record State(
      int seen,
      int unseen,
      int poolSize,
      double coverage,
      Map<String, UserStateAnswer.Pool> categories,
      List<Double> thresholdsReached,
      int favorites,
      long replays,
      FeaturesAnswer features,
      List<String> seenItems,
      float[] userVector,
      @JsonInclude(JsonInclude.Include.NON_NULL) float[] pushedVector) {}

  public record Favorite(String itemId, String addedAt) {}

  /** The user's rows of each read model, as PostgreSQL renders them. */
  public record ReadModels(
      JsonNode impressions,
      JsonNode events,
      JsonNode activity,
      JsonNode featureSnapshots,
      JsonNode deadLetters) {}

  /**
   * One journal event: its sequence number, when it was written, its type (the event's name) and
   * what it holds, per type.
   */
  public sealed interface JournalEvent {}

  /**
   * {@code ImpressionsShown}, one batch: the first-time {@code items} with their context (only when
   * it was given), and the {@code repeated} showings of items seen before (only when there were
   * some).
   */
  public record ImpressionsShown(
      long sequenceNr,
      String writtenAt,
      String type,
      String at,
      List<String> items,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> repeated,
      @JsonInclude(JsonInclude.Include.NON_NULL) int[] positions,
      @JsonInclude(JsonInclude.Include.NON_NULL) String surface,
      @JsonInclude(JsonInclude.Include.NON_NULL) String rankingId)
      implements JournalEvent {}

  /**
   * {@code ImpressionsRecorded}, written before {@code ImpressionsShown}: the context fields only
   * when they were given.
   */
  public record Impressions(
      long sequenceNr,
      String writtenAt,
      String type,
      String at,
      List<String> items,
      @JsonInclude(JsonInclude.Include.NON_NULL) int[] positions,
      @JsonInclude(JsonInclude.Include.NON_NULL) String surface,
      @JsonInclude(JsonInclude.Include.NON_NULL) String rankingId)
      implements JournalEvent {}

  /**
   * {@code ImpressionsRepeated} (written before {@code ImpressionsShown}) and {@code
   * ItemsReplayed}.
   */
  public record Items(long sequenceNr, String writtenAt, String type, String at, List<String> items)
      implements JournalEvent {}

  /**
   * {@code InteractionsRecorded}, one batch: its interactions, and the {@code repeated} impressions
   * of items seen before with the latest of their times (only when there were some; journals
   * written before kept them in an {@code ImpressionsRepeated}).
   */
  public record Interactions(
      long sequenceNr,
      String writtenAt,
      String type,
      List<InteractionAnswer> interactions,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> repeated,
      @JsonInclude(JsonInclude.Include.NON_NULL) String repeatedAt)
      implements JournalEvent {}

  /** One interaction: what was given of it only, {@code tags} only when the item had some. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record InteractionAnswer(
      String type,
      @JsonInclude(JsonInclude.Include.ALWAYS) String itemId,
      String at,
      String intent,
      Long value,
      String rankingId,
      Integer position,
      String category,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> tags) {}

  public record PersonaSet(long sequenceNr, String writtenAt, String type, PersonaAnswer persona)
      implements JournalEvent {}

  public record PoolLevels(
      long sequenceNr, String writtenAt, String type, int thresholdsAboveMask, boolean atRisk)
      implements JournalEvent {}

  public record FavoriteAdded(
      long sequenceNr, String writtenAt, String type, String itemId, String at)
      implements JournalEvent {}

  public record FavoriteRemoved(long sequenceNr, String writtenAt, String type, String itemId)
      implements JournalEvent {}

  public record Consent(long sequenceNr, String writtenAt, String type, boolean consent, String at)
      implements JournalEvent {}

  /** {@code UserForgotten}. */
  public record Dated(long sequenceNr, String writtenAt, String type, String at)
      implements JournalEvent {}

  /** An event this export does not know how to show beyond its type. */
  public record Other(long sequenceNr, String writtenAt, String type) implements JournalEvent {}

  /** A vector an outside model pushed for the user, with the model's name ({@code null}: none). */
  public record FeaturesPushed(
      long sequenceNr, String writtenAt, String type, float[] vector, String source, String at)
      implements JournalEvent {}

  /**
   * The export of {@code live} (the entity's), {@code journal} (the user's events) and {@code rows}
   * (each read model's rows as JSON text, by section name), items named as {@code catalog} has
   * them.
   */
  public static PrivacyExport of(
      String userId,
      UserEntity.UserExport live,
      List<EventEnvelope> journal,
      Map<String, String> rows,
      CatalogSnapshot catalog,
      Instant exportedAt) {
    UserEntity.UserStateView view = live.state();
    State state =
        new State(
            view.seen(),
            view.unseen(),
            view.poolSize(),
            view.coverage(),
            UserStateAnswer.categories(view.categories()),
            view.thresholdsReached(),
            view.favorites(),
            view.replays(),
            FeaturesAnswer.of(view.features()),
            items(catalog, live.seenItems()),
            live.vector(),
            live.pushedVector());
    List<Favorite> favorites = new ArrayList<>();
    for (Favorites.Favorite f : live.favorites()) {
      favorites.add(new Favorite(itemId(catalog, f.itemId()), instant(f.addedAtMillis())));
    }
    List<JournalEvent> events = new ArrayList<>();
    for (EventEnvelope e : journal) events.add(journalEvent(catalog, e));
    ReadModels readModels =
        new ReadModels(
            row(rows, "impressions"),
            row(rows, "events"),
            row(rows, "activity"),
            row(rows, "featureSnapshots"),
            row(rows, "deadLetters"));
    return new PrivacyExport(
        userId,
        exportedAt.toString(),
        view.consent(),
        Optional.ofNullable(live.persona()).map(PersonaAnswer::of).orElse(null),
        state,
        favorites,
        events,
        readModels,
        row(rows, "rankings"),
        row(rows, "favoriteShares"));
  }

  private static JournalEvent journalEvent(CatalogSnapshot catalog, EventEnvelope envelope) {
    long seq = envelope.sequenceNr();
    String written = instant(envelope.timestamp());
    Object event = envelope.event();
    String type = event.getClass().getSimpleName();
    if (event instanceof UserEntity.ImpressionsShown e) {
      return new ImpressionsShown(
          seq,
          written,
          type,
          instant(e.atMillis()),
          items(catalog, e.firstTime()),
          items(catalog, e.repeated()),
          e.positions(),
          e.surface(),
          e.rankingId());
    } else if (event instanceof UserEntity.ImpressionsRecorded e) {
      return new Impressions(
          seq,
          written,
          type,
          instant(e.atMillis()),
          items(catalog, e.itemIds()),
          e.positions(),
          e.surface(),
          e.rankingId());
    } else if (event instanceof UserEntity.ImpressionsRepeated e) {
      return new Items(seq, written, type, instant(e.atMillis()), items(catalog, e.itemIds()));
    } else if (event instanceof UserEntity.InteractionsRecorded e) {
      List<InteractionAnswer> interactions = new ArrayList<>();
      for (Interaction i : e.interactions()) {
        interactions.add(
            new InteractionAnswer(
                i.type().wire(),
                itemId(catalog, i.itemId()),
                instant(i.at()),
                i.intent(),
                i.value(),
                i.rankingId(),
                i.position(),
                i.category(),
                i.tags()));
      }
      boolean repeats = e.repeated().length > 0;
      return new Interactions(
          seq,
          written,
          type,
          interactions,
          items(catalog, e.repeated()),
          repeats ? instant(e.repeatedAt()) : null);
    } else if (event instanceof UserEntity.PersonaSet e) {
      return new PersonaSet(seq, written, type, PersonaAnswer.of(e.persona()));
    } else if (event instanceof UserEntity.FeaturesPushed e) {
      return new FeaturesPushed(
          seq,
          written,
          type,
          e.pushed().vector(),
          e.pushed().source(),
          instant(e.pushed().atMillis()));
    } else if (event instanceof UserEntity.PoolLevelsChanged e) {
      return new PoolLevels(seq, written, type, e.levels().above(), e.levels().atRisk());
    } else if (event instanceof UserEntity.ItemsReplayed e) {
      return new Items(seq, written, type, instant(e.atMillis()), items(catalog, e.itemIds()));
    } else if (event instanceof UserEntity.FavoriteAdded e) {
      return new FavoriteAdded(
          seq, written, type, itemId(catalog, e.itemId()), instant(e.atMillis()));
    } else if (event instanceof UserEntity.FavoriteRemoved e) {
      return new FavoriteRemoved(seq, written, type, itemId(catalog, e.itemId()));
    } else if (event instanceof UserEntity.ConsentSet e) {
      return new Consent(seq, written, type, e.consent(), instant(e.atMillis()));
    } else if (event instanceof UserEntity.UserForgotten e) {
      return new Dated(seq, written, type, instant(e.atMillis()));
    }
    return new Other(seq, written, type);
  }

  private static List<String> items(CatalogSnapshot catalog, int[] denseIds) {
    List<String> items = new ArrayList<>(denseIds.length);
    for (int id : denseIds) items.add(itemId(catalog, id));
    return items;
  }

  /** The catalog id; {@code null} for an item deleted from the catalog since. */
  private static String itemId(CatalogSnapshot catalog, int denseId) {
    Item item = catalog.byDenseId(denseId);
    return item == null ? null : item.id();
  }

  private static String instant(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }

  private static JsonNode row(Map<String, String> rows, String section) {
    return ApiJson.stored(rows.get(section), "PostgreSQL's JSON of " + section);
  }
}
