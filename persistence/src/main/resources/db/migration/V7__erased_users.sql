-- Tombstones of erased users (DELETE /v1/users/{id}). Writers that may still hold rows of a user
-- from before the erasure (a projection batch in flight, a feature snapshot, the ranking-events
-- write-behind) check here, inside their own transaction, and drop those rows. Only a SHA-256 of the
-- user id is kept, and only until expires_at: the tombstone itself must not keep the user around.
CREATE TABLE erased_users (
  user_sha256       TEXT         PRIMARY KEY,
  -- the database's clock once the erasure held the writers' lock (see ErasedUsers)
  erased_at         TIMESTAMPTZ  NOT NULL,
  -- the user's journal was deleted up to this global ordering; later events are a new user's
  journal_ordering  BIGINT       NOT NULL,
  expires_at        TIMESTAMPTZ  NOT NULL
);

CREATE INDEX erased_users_expires_idx ON erased_users (expires_at);
