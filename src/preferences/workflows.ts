import type { PrismaClient, Workflow } from "../db/generated/prisma/client.ts";
import type { FieldProblem } from "../errors.ts";
import { NotFoundError, ValidationError } from "../errors.ts";

export type WorkflowInput = {
  key: string;
  name?: string | null;
  categories?: readonly string[] | null;
  critical?: boolean | null;
  commercial?: boolean | null;
};

const KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const MAX_CATEGORIES = 50;

export function keyProblem(field: string, key: string): FieldProblem | null {
  return KEY.test(key)
    ? null
    : { field, message: "1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit", reason: "invalid" };
}

/** Creates the workflow or updates the fields given; a field left out keeps its value. */
export async function defineWorkflow(prisma: PrismaClient, projectId: string, input: WorkflowInput): Promise<Workflow> {
  const categories = input.categories ? [...new Set(input.categories)] : undefined;
  const problems = [
    keyProblem("key", input.key),
    ...(categories ?? []).map((category, index) => keyProblem(`categories.${index}`, category)),
    categories && categories.length > MAX_CATEGORIES
      ? ({ field: "categories", message: `at most ${MAX_CATEGORIES}`, reason: "too_many" } as const)
      : null,
    input.name != null && input.name.length > 200
      ? ({ field: "name", message: "at most 200 characters", reason: "too_long" } as const)
      : null,
  ].filter((problem) => problem !== null);
  if (problems.length > 0) throw new ValidationError(problems);
  const fields = {
    ...(input.name !== undefined && { name: input.name }),
    ...(categories && { categories }),
    ...(input.critical != null && { critical: input.critical }),
    ...(input.commercial != null && { commercial: input.commercial }),
  };
  return prisma.workflow.upsert({
    where: { projectId_key: { projectId, key: input.key } },
    create: { projectId, key: input.key, ...fields },
    update: fields,
  });
}

export async function deleteWorkflow(prisma: PrismaClient, projectId: string, key: string): Promise<string> {
  const { count } = await prisma.workflow.deleteMany({ where: { projectId, key } });
  if (count === 0) throw new NotFoundError("workflow", key);
  return key;
}
