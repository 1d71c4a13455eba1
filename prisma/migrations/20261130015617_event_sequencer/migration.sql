-- AlterTable
ALTER TABLE "directory_events" DROP CONSTRAINT "directory_events_pkey",
ADD COLUMN     "log_id" BIGSERIAL NOT NULL,
ALTER COLUMN "seq" DROP NOT NULL,
ADD CONSTRAINT "directory_events_pkey" PRIMARY KEY ("log_id");

-- CreateIndex
CREATE UNIQUE INDEX "directory_events_project_id_seq_key" ON "directory_events"("project_id", "seq");

-- Numbers up to 10,000 of a project's committed, unnumbered events (in
-- log_id order) after the last number given out, under the counter row's
-- lock; returns the project's last number and how many it numbered (the
-- caller calls again while that is the whole batch: a bounded transaction
-- each, whatever the backlog). Each statement of a VOLATILE function takes a
-- new snapshot: the numbering statement, run once the lock is held, sees
-- every event committed before it, including those numbered by the sequencer
-- that held the lock before. Sequencers commit one after another, so numbers
-- become visible in order and a reader that sees n has seen every number
-- below it (src/events/sequencer.ts). With nothing to number, it takes no
-- lock: every event it can see is numbered, by sequencers that committed.
CREATE FUNCTION number_directory_events(project UUID, OUT last BIGINT, OUT numbered INTEGER) LANGUAGE plpgsql SET jit = off AS $$
BEGIN
  numbered := 0;
  IF NOT EXISTS (SELECT 1 FROM directory_events WHERE project_id = project AND seq IS NULL) THEN
    last := COALESCE((SELECT last_seq FROM directory_event_counters WHERE project_id = project), 0);
    RETURN;
  END IF;
  INSERT INTO directory_event_counters (project_id, last_seq) VALUES (project, 0) ON CONFLICT (project_id) DO NOTHING;
  SELECT last_seq INTO last FROM directory_event_counters WHERE project_id = project FOR UPDATE;
  WITH pending AS (
    SELECT log_id, row_number() OVER (ORDER BY log_id) AS n
    FROM (SELECT log_id FROM directory_events WHERE project_id = project AND seq IS NULL ORDER BY log_id LIMIT 10000) p
  ), done AS (
    UPDATE directory_events e SET seq = last + pending.n FROM pending WHERE e.log_id = pending.log_id RETURNING e.seq
  )
  SELECT count(*), COALESCE(max(seq), last) INTO numbered, last FROM done;
  UPDATE directory_event_counters SET last_seq = last WHERE project_id = project AND numbered > 0;
END $$;
