-- Several hub instances on one database: each instance's live feed learns of every other instance's commits at
-- once. A statement-level trigger on feed notifies channel hub_feed with the highest seq the statement stored;
-- PostgreSQL delivers notifications only at commit and in commit order, which is seq order (feed_counter).
CREATE FUNCTION feed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  newest bigint;
BEGIN
  SELECT max(seq) INTO newest FROM new_rows;
  IF newest IS NOT NULL THEN
    PERFORM pg_notify('hub_feed', newest::text);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER feed_notify AFTER INSERT ON feed REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_notify();
