import { type DocumentNode, GraphQLError, getOperationAST, type OperationTypeNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { KEY_KINDS, keyPrefix } from "../auth/keys.ts";
import type { Context } from "../graphql/context.ts";

/** What is known of a request once it is answered: for its log line and the metrics. */
export type RequestRecord = {
  requestId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  operationName?: string;
  operationType?: OperationTypeNode;
  /** The distinct `extensions.code` of the response's errors. */
  errorCodes: string[];
  /** The prefix listings show of the key sent (sk_… or pk_…), never the key. */
  keyPrefix?: string;
  projectId?: string;
  /** The signed-in member, for a member's access token. */
  memberId?: string;
};

type Pending = Omit<RequestRecord, "status" | "durationMs" | "requestId"> & { startedAt: number };

// A client chooses its operation names: long ones are cut, not logged whole.
const MAX_OPERATION_NAME = 100;
const SENT_KEY = new RegExp(`^(?:Bearer\\s+)?((?:${Object.values(KEY_KINDS).join("|")})\\S+)$`, "i");

type Operation = { type: OperationTypeNode; name?: string } | null;

/** Parsed documents are cached (Yoga): what each names is read once per document and operation name. */
const MAX_NAMES_PER_DOCUMENT = 8;
const operations = new WeakMap<DocumentNode, Map<string | undefined, Operation>>();

function operationOf(document: DocumentNode, operationName: string | undefined): Operation {
  let byName = operations.get(document);
  if (!byName) {
    byName = new Map();
    operations.set(document, byName);
  }
  let operation = byName.get(operationName);
  if (operation === undefined) {
    const found = getOperationAST(document, operationName);
    operation = found ? { type: found.operation, ...(found.name && { name: found.name.value.slice(0, MAX_OPERATION_NAME) }) } : null;
    // A client names the operation: a few names per document are kept, not every one sent.
    if (byName.size < MAX_NAMES_PER_DOCUMENT) byName.set(operationName, operation);
  }
  return operation;
}

/**
 * Gathers a record of every request and hands it to each of `readers` once
 * it is answered. Comes after errorHandling in the plugin list: it reads the error
 * codes errorHandling gives, and the request id it assigns.
 */
export function recordRequests(requestIds: WeakMap<Request, string>, readers: ((record: RequestRecord) => void)[]): Plugin<Context> {
  const pending = new WeakMap<Request, Pending>();
  return {
    onRequest({ request, url }) {
      const sentKey = SENT_KEY.exec(request.headers.get("x-api-key") ?? request.headers.get("authorization") ?? "")?.[1];
      pending.set(request, {
        startedAt: performance.now(),
        method: request.method,
        path: url.pathname,
        errorCodes: [],
        ...(sentKey && { keyPrefix: keyPrefix(sentKey) }),
      });
    },
    // After parsing, before validation and authentication: known even for requests refused there.
    onParse({ context: { request, params } }) {
      return ({ result }) => {
        const record = pending.get(request);
        if (!record || result instanceof Error) return;
        const operation = operationOf(result as DocumentNode, params.operationName);
        if (!operation) return;
        record.operationType = operation.type;
        if (operation.name) record.operationName = operation.name;
      };
    },
    onExecute({ args: { contextValue } }) {
      const record = pending.get(contextValue.request);
      if (!record) return;
      const { auth } = contextValue;
      record.projectId = auth.projectId;
      if (auth.kind === "member") record.memberId = auth.userId;
    },
    onResultProcess({ request, result }) {
      const record = pending.get(request);
      if (!record || Symbol.asyncIterator in result) return;
      const results = Array.isArray(result) ? result : [result];
      if (results.every(({ errors }) => !errors?.length)) return;
      const codes = new Set(record.errorCodes);
      for (const { errors } of results) {
        for (const error of errors ?? []) {
          const code = error instanceof GraphQLError ? error.extensions.code : undefined;
          if (typeof code === "string") codes.add(code);
        }
      }
      record.errorCodes = [...codes];
    },
    onResponse({ request, response }) {
      const record = pending.get(request);
      if (!record) return;
      const { startedAt, ...known } = record;
      const durationMs = Math.round((performance.now() - startedAt) * 10) / 10;
      const answered = { requestId: requestIds.get(request) ?? "", ...known, status: response.status, durationMs };
      for (const read of readers) read(answered);
    },
  };
}
