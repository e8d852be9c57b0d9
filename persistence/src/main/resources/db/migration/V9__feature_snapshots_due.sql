-- Which users' feature snapshots are due, exactly: every projected activity bumps the user's
-- version, a snapshot records the version it covered. The earlier high-water mark (a journal time)
-- passed over a user whose activity was projected after a later one of another user's.
ALTER TABLE user_activity
  ADD COLUMN version          BIGINT NOT NULL DEFAULT 1,
  ADD COLUMN snapshot_version BIGINT NOT NULL DEFAULT 0;

-- users at or under the old mark have their snapshot already
UPDATE user_activity a SET snapshot_version = a.version
  FROM read_model_offsets o
 WHERE o.projection = 'user_features' AND o.tag = 'all'
   AND a.last_active_at <= 'epoch'::timestamptz + o.ordering * interval '1 millisecond';

CREATE INDEX user_activity_due_idx ON user_activity (last_active_at) WHERE version > snapshot_version;
