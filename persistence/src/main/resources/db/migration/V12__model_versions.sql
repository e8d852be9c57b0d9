-- Trained models (SPEC C8): each version with its evaluation on the time holdout it was trained
-- for, and its item factors (little-endian float32, `factors` per item, by dense id). At most one
-- version is promoted: the one nodes serve.
CREATE TABLE model_versions (
  version          BIGSERIAL        PRIMARY KEY,
  trained_at       TIMESTAMPTZ      NOT NULL,
  algorithm        VARCHAR(32)      NOT NULL,
  params           TEXT             NOT NULL,
  ndcg             DOUBLE PRECISION NOT NULL,
  recall           DOUBLE PRECISION NOT NULL,
  popularity_ndcg  DOUBLE PRECISION NOT NULL,
  evaluated_users  INTEGER          NOT NULL,
  k                INTEGER          NOT NULL,
  users            INTEGER          NOT NULL,
  items            INTEGER          NOT NULL,
  factors          INTEGER          NOT NULL,
  item_factors     BYTEA            NOT NULL,
  promoted         BOOLEAN          NOT NULL DEFAULT false,
  note             TEXT             NOT NULL DEFAULT ''
);

CREATE UNIQUE INDEX model_versions_one_promoted ON model_versions (promoted) WHERE promoted;
