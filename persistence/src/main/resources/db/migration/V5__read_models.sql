-- Read models projected from the journal (streams module, ReadModelProjection). Each projection keeps
-- its offset (the journal's global ordering) per tag here, written in the same transaction as its
-- rows, so a crash anywhere replays exactly the uncommitted batch.
-- The counters and the last error sit on the same row, so any node can report every projection.
CREATE TABLE read_model_offsets (
  projection     VARCHAR(64)  NOT NULL,
  tag            VARCHAR(64)  NOT NULL,
  ordering       BIGINT       NOT NULL,
  updated_at     TIMESTAMPTZ  NOT NULL,
  rows_total     BIGINT       NOT NULL DEFAULT 0,
  skipped_total  BIGINT       NOT NULL DEFAULT 0,
  batches_total  BIGINT       NOT NULL DEFAULT 0,
  last_event_at  TIMESTAMPTZ,
  last_error     TEXT,
  last_error_at  TIMESTAMPTZ,
  PRIMARY KEY (projection, tag)
);

-- One row per (user, item) ever shown: when first, how often, where, in which ranking, at which
-- position. Range-partitioned by month of first sight so that time-range queries prune partitions
-- and retention drops whole months (the partitions are created on demand by the projection, see
-- ReadModelPartitions). A (user, item) is first seen exactly once in the journal, so the key
-- includes the partition column without weakening uniqueness.
CREATE TABLE user_impressions (
  user_id        VARCHAR(128) NOT NULL,
  item_id        VARCHAR(128) NOT NULL,
  first_seen_at  TIMESTAMPTZ  NOT NULL,
  view_count     INTEGER      NOT NULL DEFAULT 1,
  last_seen_at   TIMESTAMPTZ  NOT NULL,
  surface        VARCHAR(64),
  ranking_id     VARCHAR(128),
  position       INTEGER,
  PRIMARY KEY (user_id, item_id, first_seen_at)
) PARTITION BY RANGE (first_seen_at);

CREATE INDEX user_impressions_user_time_idx ON user_impressions (user_id, first_seen_at);
CREATE INDEX user_impressions_time_idx ON user_impressions (first_seen_at);
CREATE INDEX user_impressions_ranking_idx ON user_impressions (ranking_id) WHERE ranking_id IS NOT NULL;

-- Every journaled interaction (first-time impressions included), keyed by where it sits in the
-- journal so that a replayed batch inserts nothing twice.
CREATE TABLE events (
  user_id         VARCHAR(128) NOT NULL,
  seq_nr          BIGINT       NOT NULL,
  idx             INTEGER      NOT NULL,
  item_id         VARCHAR(128) NOT NULL,
  type            VARCHAR(16)  NOT NULL,
  intent          VARCHAR(64),
  ranking_id      VARCHAR(128),
  position        INTEGER,
  value           BIGINT,
  occurred_at     TIMESTAMPTZ  NOT NULL,
  PRIMARY KEY (user_id, seq_nr, idx, occurred_at)
) PARTITION BY RANGE (occurred_at);

CREATE INDEX events_time_idx ON events (occurred_at);
CREATE INDEX events_user_time_idx ON events (user_id, occurred_at);
CREATE INDEX events_ranking_idx ON events (ranking_id, item_id) WHERE ranking_id IS NOT NULL;

-- Users the projections saw act, for the periodic feature snapshots.
CREATE TABLE user_activity (
  user_id         VARCHAR(128) PRIMARY KEY,
  last_active_at  TIMESTAMPTZ  NOT NULL
);

CREATE INDEX user_activity_time_idx ON user_activity (last_active_at);

-- Periodic snapshots of each active user's features (decayed affinities, counters, persona), for
-- analytics and training.
CREATE TABLE user_features (
  user_id      VARCHAR(128) NOT NULL,
  taken_at     TIMESTAMPTZ  NOT NULL,
  seen         INTEGER      NOT NULL,
  unseen       INTEGER      NOT NULL,
  coverage     DOUBLE PRECISION NOT NULL,
  features     JSONB        NOT NULL,
  PRIMARY KEY (user_id, taken_at)
);

CREATE INDEX user_features_time_idx ON user_features (taken_at);

-- How far each consumer of the raw rows has read: retention never purges past the training
-- export's checkpoint.
CREATE TABLE extraction_checkpoints (
  consumer        VARCHAR(64)  PRIMARY KEY,
  consumed_until  TIMESTAMPTZ  NOT NULL,
  updated_at      TIMESTAMPTZ  NOT NULL
);
