-- Every ranking computed for a user: served ones and shadow ones (served = false), with the
-- candidates as shown, so that clicks carrying a rankingId can be joined to their position.
CREATE TABLE ranking_events (
  ranking_id  VARCHAR(64)  PRIMARY KEY,
  user_id     VARCHAR(128) NOT NULL,
  variant     VARCHAR(64)  NOT NULL,
  served      BOOLEAN      NOT NULL,
  -- [{"item": "...", "position": 1, "score": 0.73, "reason": "affinity"}, ...]
  candidates  JSONB        NOT NULL,
  created_at  TIMESTAMPTZ  NOT NULL
);

CREATE INDEX ranking_events_user_idx ON ranking_events (user_id, created_at);
CREATE INDEX ranking_events_created_idx ON ranking_events (created_at);
