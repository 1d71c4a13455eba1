import { assertScope } from "../auth/scopes.ts";
import { Prisma } from "../db/generated/prisma/client.ts";
import { builder } from "../graphql/builder.ts";
import { joinedValue, readsUserFields } from "../users/read/user-selection.ts";
import { UserType } from "../users/schema/user-schema.ts";
import { type OrganizationNode, OrganizationType } from "./organization-schema.ts";

/** The user's organization as the Organization type reads it, as JSON; null without one. */
export const ORGANIZATION_OF_USER = Prisma.sql`(
  SELECT json_build_object('id', o.id, 'name', o.name, 'parentId', o.parent_id, 'createdAt', o.created_at)
  FROM organizations o WHERE o.project_id = u.project_id AND o.id = u.organization_id)`;

type JoinedOrganization = Omit<OrganizationNode, "createdAt"> & { createdAt: string };

builder.objectField(UserType, "organization", (t) =>
  t.field({
    type: OrganizationType,
    nullable: true,
    // A list reads each user's organization in its own statement; a single user loads it by id.
    extensions: readsUserFields(["organizationId"], ORGANIZATION_OF_USER),
    // organizations:read, checked here rather than by `authScopes`: a page resolves this field once per user.
    resolve: (user, _args, { auth }) => {
      assertScope(auth, "organizations:read");
      const joined = joinedValue(user, "organization") as JoinedOrganization | null | undefined;
      if (joined === undefined) return user.organizationId;
      // Spelled out rather than spread: a spread with a further property is a slow path of V8's, per row of a page.
      return joined && { id: joined.id, name: joined.name, parentId: joined.parentId, createdAt: new Date(joined.createdAt) };
    },
  }),
);
