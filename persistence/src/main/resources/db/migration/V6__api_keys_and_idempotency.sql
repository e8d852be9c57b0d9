-- API keys: only the SHA-256 of a key is stored. Keys are 256 random bits, so a fast hash is as
-- strong as a slow one here (there is nothing to brute-force), and lookups stay cheap.
CREATE TABLE api_keys (
  id          text        PRIMARY KEY,            -- public id: shown in lists, used to revoke
  name        text        NOT NULL,
  scopes      text[]      NOT NULL,
  key_sha256  text        NOT NULL UNIQUE,
  prefix      text        NOT NULL,               -- the key's first characters, to tell keys apart
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

-- Idempotency-Key: the first answer to a batch, replayed for any repeat of the same key by the same
-- client. A row without status is a batch still in flight.
CREATE TABLE idempotency_keys (
  owner           text        NOT NULL,           -- the API key's id, so clients cannot collide
  key             text        NOT NULL,
  route           text        NOT NULL,
  request_sha256  text        NOT NULL,
  status          integer,
  response        text,                           -- the exact JSON sent, replayed byte for byte
  created_at      timestamptz NOT NULL DEFAULT now(),
  completed_at    timestamptz,
  PRIMARY KEY (owner, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
