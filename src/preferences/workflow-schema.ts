import { NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { resultUnion } from "../graphql/result-union.ts";
import { CHANNEL_TYPES } from "./channel-types.ts";
import { defineWorkflow, deleteWorkflow, type WorkflowInput } from "./workflows.ts";

export const ChannelTypeEnum = builder.enumType("ChannelType", {
  values: CHANNEL_TYPES,
  description: "How a notification reaches someone. Providers map to types: EMAIL→EMAIL, SMS→SMS, APNS/FCM/WEB_PUSH→PUSH, SLACK→CHAT.",
});

export const WorkflowType = builder.prismaObject("Workflow", {
  fields: (t) => ({
    key: t.exposeID("key", { description: "The caller's own key for the workflow." }),
    name: t.exposeString("name", { nullable: true }),
    categories: t.exposeStringList("categories"),
    critical: t.exposeBoolean("critical", { description: "Cannot be opted out of and ignores quiet hours." }),
    commercial: t.exposeBoolean("commercial", { description: "Reaches only users whose preferences are commercialSubscribed." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

const DefineWorkflowInput = builder.inputType("DefineWorkflowInput", {
  fields: (t) =>
    ({
      key: t.id({ required: true }),
      name: t.string(),
      categories: t.stringList({ description: "Replaces the workflow's categories when given." }),
      critical: t.boolean(),
      commercial: t.boolean(),
    }) satisfies Record<keyof WorkflowInput, unknown>,
});

const DefineWorkflowSuccess = builder.simpleObject("DefineWorkflowSuccess", {
  fields: (t) => ({ workflow: t.field({ type: WorkflowType }) }),
});
const DeleteWorkflowSuccess = builder.simpleObject("DeleteWorkflowSuccess", { fields: (t) => ({ key: t.id() }) });

builder.queryField("workflows", (t) =>
  t.prismaField({
    type: [WorkflowType],
    nullable: true,
    description: "The project's workflows, ordered by key.",
    skipTypeScopes: true,
    authScopes: { scope: "channels:read" },
    resolve: (query, _root, _args, { prisma, auth }) =>
      prisma.workflow.findMany({ ...query, where: { projectId: auth.projectId }, orderBy: { key: "asc" } }),
  }),
);

builder.mutationField("defineWorkflow", (t) =>
  t.field({
    type: resultUnion("DefineWorkflow", DefineWorkflowSuccess, [ValidationError]),
    description: "Creates the workflow with this key, or updates the fields given.",
    skipTypeScopes: true,
    authScopes: { scope: "channels:write" },
    args: { input: t.arg({ type: DefineWorkflowInput, required: true }) },
    resolve: async (_root, { input }, { prisma, auth }) => ({ workflow: await defineWorkflow(prisma, auth.projectId, input) }),
  }),
);

builder.mutationField("deleteWorkflow", (t) =>
  t.field({
    type: resultUnion("DeleteWorkflow", DeleteWorkflowSuccess, [NotFoundError]),
    description: "Deletes the workflow; rules for its key in preference sets stay and apply if it is defined again.",
    skipTypeScopes: true,
    authScopes: { scope: "channels:write" },
    args: { key: t.arg.id({ required: true }) },
    resolve: async (_root, { key }, { prisma, auth }) => ({ key: await deleteWorkflow(prisma, auth.projectId, key) }),
  }),
);
