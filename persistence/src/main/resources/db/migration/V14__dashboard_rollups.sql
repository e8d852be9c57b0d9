-- Hourly rollups for the admin dashboard (JdbcActivityStatistics), so that a plot of 30 days reads
-- 720 rows, whatever the traffic. The read-model projections keep activity_hourly in the same
-- transaction as their rows and offsets (a replayed batch counts nothing twice); the feature
-- snapshots keep freshness_hourly in the transaction of their rows. Distinct users are HyperLogLog
-- sketches (Apache DataSketches, lgK 12: about 1.6 % error; exact while small), which the dashboard
-- unions over any range: they hold hashes, never user ids. Retention deletes old hours with the raw
-- rows. Hours are UTC, their start as a timestamp.
CREATE TABLE activity_hourly (
  hour          TIMESTAMPTZ PRIMARY KEY,
  impressions   BIGINT NOT NULL DEFAULT 0,   -- first-time impressions
  interactions  BIGINT NOT NULL DEFAULT 0,   -- every other event
  users         BYTEA                         -- sketch of the users with either
);

CREATE TABLE freshness_hourly (
  hour       TIMESTAMPTZ PRIMARY KEY,
  bands      BYTEA[] NOT NULL,   -- per tenth of the active pool seen, a sketch of its users
  fresh      BYTEA,   -- sketch of the users snapshotted with at least half of a non-empty pool unseen
  judged     BYTEA    -- sketch of the users snapshotted with a non-empty pool
);

-- what the read models already hold, counted once (their users were never sketched: the active-user
-- counts start with this version)
INSERT INTO activity_hourly (hour, impressions)
  SELECT to_timestamp(floor(extract(epoch FROM first_seen_at) / 3600) * 3600), count(*)
  FROM user_impressions GROUP BY 1;
INSERT INTO activity_hourly (hour, interactions)
  SELECT to_timestamp(floor(extract(epoch FROM occurred_at) / 3600) * 3600), count(*)
  FROM events GROUP BY 1
  ON CONFLICT (hour) DO UPDATE SET interactions = excluded.interactions;
