import type { PrismaClient } from "../db/generated/prisma/client.ts";

// Writers append events unnumbered; readers number what has committed before
// they read (the database function number_directory_events, migration
// event_sequencer), so no writer waits on another's commit. Within a process,
// callers of one project share runs: a caller joins the run that has not
// started yet, never one already under way, whose snapshot may predate the
// commit the caller wants to see.

type Runs = { running?: Promise<unknown>; queued?: Promise<bigint> };

const runsByDatabase = new WeakMap<PrismaClient, Map<string, Runs>>();

/** Numbers the project's committed events and returns its last position: every event up to it can be read. */
export function numberCommittedEvents(prisma: PrismaClient, projectId: string): Promise<bigint> {
  const projects = runsByDatabase.get(prisma) ?? new Map<string, Runs>();
  runsByDatabase.set(prisma, projects);
  const runs = projects.get(projectId) ?? {};
  projects.set(projectId, runs);
  if (runs.queued) return runs.queued;
  const queued = (runs.running ?? Promise.resolve())
    .catch(() => undefined)
    .then(() => {
      runs.queued = undefined;
      const running = numberAll(prisma, projectId);
      runs.running = running;
      return running.finally(() => {
        if (runs.running === running) runs.running = undefined;
        if (!runs.running && !runs.queued) projects.delete(projectId);
      });
    });
  runs.queued = queued;
  return queued;
}

/** A batch the function numbers at most: it is called again while it numbers that many. */
const BATCH = 10_000;

async function numberAll(prisma: PrismaClient, projectId: string): Promise<bigint> {
  for (;;) {
    const [row] = await prisma.$queryRaw<[{ last: bigint; numbered: number }]>`
      SELECT last, numbered FROM number_directory_events(${projectId}::uuid)`;
    if (row.numbered < BATCH) return row.last;
  }
}
