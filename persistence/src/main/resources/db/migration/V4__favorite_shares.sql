-- Read-only links to a user's favourites. Only a SHA-256 of each token is kept: whoever reads this
-- table cannot open anybody's favourites.
CREATE TABLE favorite_shares (
  token_sha256  CHAR(64)     PRIMARY KEY,
  user_id       VARCHAR(128) NOT NULL,
  created_at    TIMESTAMPTZ  NOT NULL DEFAULT now()
);

CREATE INDEX favorite_shares_user_idx ON favorite_shares (user_id);
