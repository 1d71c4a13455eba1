import { builder } from "../../graphql/builder.ts";
import { connectionType } from "../../graphql/connection.ts";
import { CONNECTION_NODES } from "../../graphql/connection-page.ts";
import { listUsersByCursor, listUsersByPage, userListing } from "../read/list-users.ts";
import { USER_SORT_FIELDS } from "../read/user-order.ts";
import { userSelectionOf } from "../read/user-selection.ts";
import { PlatformEnum, UserStatusEnum, UserType } from "./user-schema.ts";

export const UserFilterInput = builder.inputType("UserFilter", {
  fields: (t) => ({
    query: t.string({ description: "Free-text search: id, email, name, nickname, phone." }),
    organizationId: t.id(),
    includeSubOrganizations: t.boolean({ defaultValue: false }),
    tags: t.stringList({ description: "Users having all of them." }),
    status: t.field({ type: [UserStatusEnum] }),
    updatedSince: t.field({ type: "DateTime" }),
    hasPushToken: t.boolean({ description: "Users holding (true) or lacking (false) a push token or web push subscription." }),
    platform: t.field({ type: PlatformEnum, description: "Users ever active on this platform." }),
    lastSeenAfter: t.field({ type: "DateTime", description: "Users last seen after this time (never seen: left out)." }),
    lastSeenBefore: t.field({ type: "DateTime", description: "Users last seen before this time (never seen: left out)." }),
  }),
});

const UserSortFieldEnum = builder.enumType("UserSortField", { values: USER_SORT_FIELDS });
const SortDirectionEnum = builder.enumType("SortDirection", { values: ["ASC", "DESC"] as const });

const UserOrderInput = builder.inputType("UserOrder", {
  fields: (t) => ({
    field: t.field({ type: UserSortFieldEnum, required: true }),
    direction: t.field({ type: SortDirectionEnum, defaultValue: "ASC" }),
  }),
});

export const UserConnection = connectionType("User", UserType);
const PAGE_ITEMS = [["items"]];

const UserPage = builder.objectRef<Awaited<ReturnType<typeof listUsersByPage>>>("UserPage").implement({
  fields: (t) => ({
    items: t.field({ type: [UserType], resolve: (page) => page.items }),
    page: t.exposeInt("page"),
    size: t.exposeInt("size"),
    totalCount: t.int({ description: "Exact, and honours the filter.", resolve: (page) => page.totalCount() }),
    hasNextPage: t.exposeBoolean("hasNextPage"),
  }),
});

builder.queryFields((t) => ({
  users: t.field({
    type: UserConnection,
    nullable: true,
    description: "Users in a stable, total order (ties broken by id); at most 1000 per page.",
    // Open to members too (the Query type's default is secret keys only), within their reach.
    skipTypeScopes: true,
    authScopes: { scope: "users:read" },
    args: {
      first: t.arg.int(),
      after: t.arg.string(),
      last: t.arg.int(),
      before: t.arg.string(),
      filter: t.arg({ type: UserFilterInput }),
      orderBy: t.arg({ type: UserOrderInput }),
    },
    resolve: (_root, { filter, orderBy, ...page }, context, info) =>
      listUsersByCursor(
        context.prisma,
        userListing(context.auth, filter, orderBy, userSelectionOf(info, CONNECTION_NODES), context.signal),
        page,
        context.auth.cursorSecret,
      ),
  }),
  userPage: t.field({
    type: UserPage,
    nullable: true,
    description: "Users by page number (0-indexed), for dashboards; at most 1000 per page.",
    skipTypeScopes: true,
    authScopes: { scope: "users:read" },
    args: {
      page: t.arg.int({ defaultValue: 0, required: true }),
      size: t.arg.int({ defaultValue: 50, required: true }),
      filter: t.arg({ type: UserFilterInput }),
      orderBy: t.arg({ type: UserOrderInput }),
    },
    resolve: (_root, { filter, orderBy, page, size }, { prisma, auth, signal }, info) =>
      listUsersByPage(prisma, userListing(auth, filter, orderBy, userSelectionOf(info, PAGE_ITEMS), signal), { page, size }),
  }),
}));
