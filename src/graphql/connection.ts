import type { ObjectRef } from "@pothos/core";
import { builder } from "./builder.ts";

export type PageInfo = {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
};

export const PageInfoType = builder.simpleObject("PageInfo", {
  fields: (t) => ({
    hasNextPage: t.boolean(),
    hasPreviousPage: t.boolean(),
    startCursor: t.string({ nullable: true }),
    endCursor: t.string({ nullable: true }),
  }),
});

/** A page of a cursor connection; `totalCount` runs its query only when a client selects it. */
export type ConnectionPage<Node> = {
  edges: { cursor: string; node: Node }[];
  pageInfo: PageInfo;
  totalCount: () => Promise<number>;
};

/** Declares `<Name>Edge` and `<Name>Connection` for a node type, in the contract's shape. */
export function connectionType<Node>(name: string, nodeType: ObjectRef<typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never, Node>) {
  const Edge = builder.objectRef<{ cursor: string; node: Node }>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.exposeString("cursor"),
      // TypeScript cannot resolve Pothos' result type for a generic Node; the ref ties it to Node already.
      node: t.field({ type: nodeType, resolve: (edge) => edge.node as never }),
    }),
  });
  return builder.objectRef<ConnectionPage<Node>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.field({ type: [Edge], resolve: (page) => page.edges }),
      nodes: t.field({ type: [nodeType], resolve: (page) => page.edges.map((edge) => edge.node) as never }),
      pageInfo: t.field({ type: PageInfoType, resolve: (page) => page.pageInfo }),
      totalCount: t.int({ description: "Exact, and honours the filter.", resolve: (page) => page.totalCount() }),
    }),
  });
}
