// Which projects' subscribers to wake once an operation has committed. A
// wake-up carries no event: subscribers read the log from their cursor, so a
// lost one only delays them until their next poll, and a spare one costs them
// a read. Kept per project rather than per operation (which would take
// AsyncLocalStorage, whose promise hooks cost every request on Node 20): an
// operation that ends wakes its project if events were written for it while
// operations of the project were running, so every writer's end wakes, after
// its own commit, and a concurrent one may wake early as well.

type Project = { running: number; written: boolean };
const projects = new Map<string, Project>();

/** Called by the recorder, inside the transaction: the project's subscribers are to be woken after the operation. */
export function noteEventsWritten(projectId: string): void {
  const project = projects.get(projectId);
  if (project) project.written = true;
}

/** Runs an operation of the project, then wakes it if events were written for it meanwhile (also when it failed: harmless). */
export async function wakeAfter<Result>(
  projectId: string,
  operation: () => Promise<Result> | Result,
  wake: (projectId: string) => void,
): Promise<Result> {
  let project = projects.get(projectId);
  if (!project) {
    project = { running: 0, written: false };
    projects.set(projectId, project);
  }
  project.running += 1;
  try {
    return await operation();
  } finally {
    project.running -= 1;
    if (project.written) wake(projectId);
    if (project.running === 0) projects.delete(projectId);
  }
}
