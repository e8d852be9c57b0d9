-- A model over some of the items (EASE: the items with most users): the dense id of each row of
-- item_factors, little-endian int32. NULL: row i is the item with dense id i (ALS).
ALTER TABLE model_versions ADD COLUMN item_ids BYTEA;
