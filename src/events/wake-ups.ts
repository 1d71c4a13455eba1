import { AsyncLocalStorage } from "node:async_hooks";

// Which projects an operation wrote events for, so that its subscribers are
// woken once it has committed. A wake-up carries no event: subscribers read
// the log from their cursor, so a lost one only delays them until their next poll.

const writtenProjects = new AsyncLocalStorage<Set<string>>();

/** Called by the recorder, inside the transaction: the project's subscribers are to be woken after the operation. */
export function noteEventsWritten(projectId: string): void {
  writtenProjects.getStore()?.add(projectId);
}

/** Runs the operation, then hands the projects it wrote events for to `wake` (also when it failed: a wake-up is harmless). */
export async function wakeAfter<Result>(operation: () => Promise<Result> | Result, wake: (projectId: string) => void): Promise<Result> {
  const projects = new Set<string>();
  try {
    return await writtenProjects.run(projects, operation);
  } finally {
    for (const projectId of projects) wake(projectId);
  }
}
