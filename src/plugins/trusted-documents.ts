import { readFileSync } from "node:fs";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import { type GraphQLError, parse } from "graphql";
import type { Plugin } from "graphql-yoga";
import { z } from "zod";
import { requestError } from "../graphql/request-errors.ts";

/** The only documents a production gateway runs, by the id clients send for them. */
export type TrustedDocuments = ReadonlyMap<string, string>;

// What `npx generate-persisted-query-manifest` (@apollo/generate-persisted-query-manifest) writes.
const apolloManifest = z.object({
  format: z.literal("apollo-persisted-query-manifest"),
  version: z.literal(1),
  operations: z.array(z.object({ id: z.string().min(1), body: z.string().min(1) })),
});
// What GraphQL Code Generator's client preset writes (persisted-documents.json), or a hand-made list.
const idToDocument = z.record(z.string().min(1), z.string().min(1));

const manifest = z.union([
  apolloManifest.transform(({ operations }) => operations.map(({ id, body }) => [id, body] as const)),
  idToDocument.transform((documents) => Object.entries(documents)),
]);

/** Reads a trusted-documents file; throws an Error saying what is wrong with it. */
export function readTrustedDocuments(path: string): TrustedDocuments {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = manifest.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${path} is neither an Apollo persisted query manifest nor a JSON object of id → document`);
  }
  if (parsed.data.length === 0) throw new Error(`${path} lists no documents: nothing could run`);
  for (const [id, document] of parsed.data) {
    try {
      parse(document);
    } catch (error) {
      throw new Error(`${path}: the document ${id} is not GraphQL: ${(error as GraphQLError).message}`);
    }
  }
  return new Map(parsed.data);
}

/**
 * Runs listed documents only: sent by id (`extensions.persistedQuery.sha256Hash`,
 * as persisted-query clients do) or in full, when the text is a listed one.
 * Anything else is refused before it is parsed.
 */
export function trustedDocumentsOnly(documents: TrustedDocuments): Plugin[] {
  const listedTexts = new Set(documents.values());
  const sentListedText = new WeakSet<Request>();
  return [
    {
      onParams({ request, params }) {
        if (params.query !== undefined && listedTexts.has(params.query)) sentListedText.add(request);
      },
    },
    usePersistedOperations({
      getPersistedOperation: (id) => documents.get(id) ?? null,
      allowArbitraryOperations: (request) => sentListedText.has(request),
      customErrors: {
        notFound: () =>
          requestError("PERSISTED_QUERY_NOT_IN_LIST", "No trusted document has this id: this gateway runs only its trusted documents."),
        persistedQueryOnly: () =>
          requestError("QUERY_NOT_IN_SAFELIST", "This document is not one of the gateway's trusted documents, the only ones it runs."),
        keyNotFound: () =>
          requestError("BAD_USER_INPUT", "Send a trusted document's id in extensions.persistedQuery.sha256Hash, or the document itself."),
      },
    }),
  ];
}
