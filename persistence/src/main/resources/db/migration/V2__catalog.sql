-- The catalog. dense_id is the small int that per-user bitmaps use: assigned once, never reused.
-- version orders changes so that every node can load "what changed since I last looked";
-- writers hold an advisory lock, so versions become visible in commit order.
CREATE SEQUENCE item_version_seq;

CREATE TABLE items (
  id          VARCHAR(128)     PRIMARY KEY,
  dense_id    INTEGER          NOT NULL UNIQUE,
  category    VARCHAR(128)     NOT NULL,
  tags        TEXT[]           NOT NULL DEFAULT '{}',
  status      VARCHAR(16)      NOT NULL CHECK (status IN ('active', 'archived', 'flagged')),
  created_at  TIMESTAMPTZ      NOT NULL,
  popularity  DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (popularity >= 0),
  embedding   REAL[],
  attributes  JSONB            NOT NULL DEFAULT '{}',
  version     BIGINT           NOT NULL,
  updated_at  TIMESTAMPTZ      NOT NULL DEFAULT now()
);

CREATE INDEX items_version_idx ON items (version);

-- Every status an item has had: who set it, when, and why.
CREATE TABLE item_status_history (
  item_id     VARCHAR(128) NOT NULL REFERENCES items (id),
  status      VARCHAR(16)  NOT NULL,
  changed_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
  changed_by  VARCHAR(128) NOT NULL,
  reason      TEXT
);

CREATE INDEX item_status_history_item_idx ON item_status_history (item_id, changed_at);
