-- Journal events a read-model projection could not write, set aside so that the projection moves on
-- (ReadModelProjection): an event time no partition can hold (partition_out_of_range), or a row the
-- database refuses as data (invalid_row). Written in the transaction that moves the projection's
-- offset past the event, so the two are committed together. One row per projection and event: a
-- replayed batch adds nothing (ON CONFLICT DO NOTHING). Erased with the user (user_id) and purged by
-- retention (created_at) after freshet.retention.period.
CREATE TABLE read_model_dead_letters (
  projection        VARCHAR(64)   NOT NULL,
  tag               VARCHAR(64)   NOT NULL,
  persistence_id    VARCHAR(255)  NOT NULL,
  seq_nr            BIGINT        NOT NULL,
  journal_ordering  BIGINT        NOT NULL,
  user_id           VARCHAR(128)  NOT NULL,
  reason            VARCHAR(64)   NOT NULL,
  -- the database's or the exception's message, at most 2,000 characters
  detail            TEXT          NOT NULL,
  -- the event as JSON, at most 2,000 characters (so it may be cut off)
  event             TEXT          NOT NULL,
  created_at        TIMESTAMPTZ   NOT NULL DEFAULT now(),
  PRIMARY KEY (projection, persistence_id, seq_nr)
);

CREATE INDEX read_model_dead_letters_user_idx ON read_model_dead_letters (user_id);
CREATE INDEX read_model_dead_letters_created_idx ON read_model_dead_letters (created_at);

-- Beside skipped_total: how many dead letters each projection and tag has written, for every node's
-- pipeline view (a count of the table would drop with retention and cost a scan per sample).
ALTER TABLE read_model_offsets ADD COLUMN dead_letters_total BIGINT NOT NULL DEFAULT 0;
