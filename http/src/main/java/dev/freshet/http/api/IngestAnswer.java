package dev.freshet.http.api;

import dev.freshet.actors.user.UserEntity;

/** What {@code POST /v1/impressions} and {@code POST /v1/events} (and the stream's acks) report. */
public final class IngestAnswer {
  private IngestAnswer() {}

  /** One user's impressions: first-time ones, repeats, and whether anything was stored. */
  public record Impressions(int recorded, int duplicates, boolean stored) {
    public static Impressions of(UserEntity.ImpressionsResult r) {
      return new Impressions(r.recorded(), r.duplicates(), r.stored());
    }
  }

  /**
   * Events of many users: all accepted, whether all were stored, and how many were not (those of
   * users without consent).
   */
  public record Events(int accepted, boolean stored, int notStored) {
    public static Events of(int accepted, int notStored) {
      return new Events(accepted, notStored == 0, notStored);
    }
  }
}
