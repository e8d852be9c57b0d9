-- The journal's events of one tag in order, for the pipelines monitor (PipelineMonitor): a tag's
-- newest event and its first event past a projection's offset are each one index probe, whatever the
-- journal's length. Without it, the monitor's per-tag questions scanned event_tag whole (the
-- primary key (event_id, tag) orders by event only). Tag queries of the journal (eventsByTag) can use
-- it too. One more index entry per tagged event; built here in one pass over the existing rows.
CREATE INDEX IF NOT EXISTS event_tag_tag_event_idx ON event_tag (tag, event_id);
