import { type DomainError, NotFoundError, ValidationError, VersionConflictError } from "../errors.ts";
import { builder } from "./builder.ts";

// The GraphQL types of the errors every domain shares (errors.ts): an `Error`
// interface and one object type per class. A domain's own error class gets its
// type in that domain's schema file, implementing ErrorInterface.

export const ErrorInterface = builder.interfaceRef<DomainError>("Error").implement({
  fields: (t) => ({
    code: t.exposeString("code"),
    message: t.exposeString("message"),
  }),
});

const FieldErrorType = builder.simpleObject("FieldError", {
  fields: (t) => ({
    field: t.string(),
    message: t.string(),
    reason: t.string({ description: "required, invalid, too_long, too_many, unknown or conflict" }),
  }),
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ fields: t.field({ type: [FieldErrorType], resolve: (error) => error.fields }) }),
});

builder.objectType(NotFoundError, {
  name: "NotFoundError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ resource: t.exposeString("resource"), id: t.exposeID("id") }),
});

builder.objectType(VersionConflictError, {
  name: "VersionConflictError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ currentVersion: t.exposeInt("currentVersion") }),
});
