import { changedPaths } from "./changed-fields.ts";
import type { NewDirectoryEvent } from "./event-types.ts";

type OrganizationFields = { name?: string; parentId?: string | null };

/** An organization's event naming the fields that changed (`name`, `parentId`); an update that changes nothing has none. */
export function organizationEvent(
  type: "ORGANIZATION_CREATED" | "ORGANIZATION_UPDATED",
  organizationId: string,
  before: OrganizationFields | undefined,
  after: OrganizationFields,
): NewDirectoryEvent[] {
  const changedFields = changedPaths(before ?? {}, after, 1).filter(
    (field) => before !== undefined || after[field as keyof OrganizationFields] != null,
  );
  return type === "ORGANIZATION_UPDATED" && changedFields.length === 0 ? [] : [{ type, organizationId, changedFields }];
}
