-- ranking_events: the candidates of a ranking as four parallel array columns (in the order shown)
-- instead of a JSONB document, so that the write-behind inserts a whole batch of rankings with one
-- INSERT … SELECT FROM unnest(…) (JdbcRankingEventStore) and a row stores no key names. Existing rows
-- are converted; the export still shows each ranking's candidates as [{item, position, score,
-- reason}, …] (JdbcUserData).
ALTER TABLE ranking_events
  ADD COLUMN item_ids  TEXT[],
  ADD COLUMN positions INTEGER[],
  ADD COLUMN scores    DOUBLE PRECISION[],
  ADD COLUMN reasons   TEXT[];

UPDATE ranking_events SET
  item_ids  = ARRAY(SELECT c->>'item' FROM jsonb_array_elements(candidates) WITH ORDINALITY AS x(c, n) ORDER BY n),
  positions = ARRAY(SELECT (c->>'position')::int FROM jsonb_array_elements(candidates) WITH ORDINALITY AS x(c, n) ORDER BY n),
  scores    = ARRAY(SELECT (c->>'score')::double precision FROM jsonb_array_elements(candidates) WITH ORDINALITY AS x(c, n) ORDER BY n),
  reasons   = ARRAY(SELECT c->>'reason' FROM jsonb_array_elements(candidates) WITH ORDINALITY AS x(c, n) ORDER BY n);

ALTER TABLE ranking_events
  ALTER COLUMN item_ids  SET NOT NULL,
  ALTER COLUMN positions SET NOT NULL,
  ALTER COLUMN scores    SET NOT NULL,
  ALTER COLUMN reasons   SET NOT NULL,
  DROP COLUMN candidates;
