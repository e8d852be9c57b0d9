package dev.freshet.actors.user;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.features.Intent;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Commands that name items by their catalog ids, as services in the cluster send them (they hold no
 * catalog, so they know no dense ids): the entity resolves them against its node's catalog and
 * checks what the edge would check of the fields the journal and the read models keep, then handles
 * them as {@link UserEntity.RecordImpressions} and {@link UserEntity.RecordEvents}. A refusal names
 * the field, as the edge's errors do.
 */
final class ItemIdCommands {

  /** As many impressions or events as one HTTP batch may hold. */
  static final int MAX_BATCH = 1_000;

  static final int MAX_SURFACE_LENGTH = 64;
  static final int MAX_RANKING_ID_LENGTH = 128;
  static final long MAX_DWELL_MILLIS = 24 * 3_600_000L;

  private ItemIdCommands() {}

  /** The command with dense ids, or why it cannot be. */
  record Resolved(UserEntity.Command command, String refusal) {}

  static Resolved resolve(UserEntity.RecordItemImpressions cmd, CatalogSnapshot catalog) {
    List<String> ids = cmd.itemIds();
    if (ids == null || ids.isEmpty() || ids.size() > MAX_BATCH)
      return refused("itemIds must hold 1 to " + MAX_BATCH + " item ids");
    if (cmd.positions() != null && cmd.positions().size() != ids.size())
      return refused("positions must have one entry per item id");
    String text =
        firstRefusal(
            text("surface", cmd.surface(), MAX_SURFACE_LENGTH),
            text("rankingId", cmd.rankingId(), MAX_RANKING_ID_LENGTH));
    if (text != null) return refused(text);
    int[] dense = new int[ids.size()];
    int[] positions = cmd.positions() == null ? null : new int[ids.size()];
    for (int i = 0; i < dense.length; i++) {
      Optional<Item> item = ids.get(i) == null ? Optional.empty() : catalog.byId(ids.get(i));
      if (item.isEmpty())
        return refused("itemIds[" + i + "] (" + ids.get(i) + ") is not in the catalog");
      dense[i] = item.get().denseId();
      if (positions != null) {
        Integer p = cmd.positions().get(i);
        if (p == null || p < 0)
          return refused("positions[" + i + "] must be a non-negative integer");
        positions[i] = p;
      }
    }
    return new Resolved(
        new UserEntity.RecordImpressions(
            dense,
            positions,
            cmd.surface(),
            cmd.rankingId(),
            cmd.atMillis(),
            cmd.batch(),
            cmd.replyTo()),
        null);
  }

  static Resolved resolve(UserEntity.RecordItemEvents cmd, CatalogSnapshot catalog) {
    List<UserEntity.ItemEvent> events = cmd.events();
    if (events == null || events.isEmpty() || events.size() > MAX_BATCH)
      return refused("events must hold 1 to " + MAX_BATCH + " events");
    List<Interaction> interactions = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      String at = "events[" + i + "]";
      UserEntity.ItemEvent e = events.get(i);
      if (e == null) return refused(at + " is missing");
      if (e.type() == null) return refused(at + ".type is required");
      Optional<Item> item = e.itemId() == null ? Optional.empty() : catalog.byId(e.itemId());
      if (item.isEmpty()) return refused(at + ".itemId (" + e.itemId() + ") is not in the catalog");
      String text =
          firstRefusal(
              text(at + ".intent", e.intent(), Intent.MAX_LENGTH),
              text(at + ".rankingId", e.rankingId(), MAX_RANKING_ID_LENGTH));
      if (text != null) return refused(text);
      if (e.type() == InteractionType.DWELL) {
        if (e.value() == null || e.value() < 0 || e.value() > MAX_DWELL_MILLIS)
          return refused(at + ".value (dwell time in ms) must be from 0 to " + MAX_DWELL_MILLIS);
      } else if (e.value() != null) {
        return refused(at + ".value is only for dwell events");
      }
      if (e.position() != null && e.position() < 0)
        return refused(at + ".position must be a non-negative integer");
      interactions.add(
          new Interaction(
              item.get().denseId(),
              e.type(),
              e.atMillis(),
              e.intent(),
              e.value(),
              e.rankingId(),
              e.position()));
    }
    return new Resolved(
        new UserEntity.RecordEvents(interactions, cmd.batch(), cmd.replyTo()), null);
  }

  private static Resolved refused(String why) {
    return new Resolved(null, why);
  }

  private static String firstRefusal(String... refusals) {
    for (String r : refusals) if (r != null) return r;
    return null;
  }

  /**
   * Why {@code value} (optional) cannot be kept, or {@code null}: 1 to {@code maxLength}
   * characters, no control characters (NUL above all, which PostgreSQL cannot store) nor unpaired
   * surrogates.
   */
  static String text(String field, String value, int maxLength) {
    if (value == null) return null;
    if (value.isEmpty() || value.length() > maxLength)
      return field + " must be 1 to " + maxLength + " characters";
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
        continue;
      }
      if (Character.isISOControl(c) || Character.isSurrogate(c))
        return field + " must not hold control characters or unpaired surrogates";
    }
    return null;
  }
}
