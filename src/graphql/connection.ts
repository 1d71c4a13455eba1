import type { ObjectRef } from "@pothos/core";
import { builder } from "./builder.ts";
import type { ConnectionPage, PageInfo } from "./connection-page.ts";

const PageInfoType = builder.objectRef<PageInfo>("PageInfo").implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean("hasNextPage"),
    hasPreviousPage: t.exposeBoolean("hasPreviousPage"),
    startCursor: t.string({ nullable: true, resolve: (info) => info.startCursor() }),
    endCursor: t.string({ nullable: true, resolve: (info) => info.endCursor() }),
  }),
});

/** Declares `<Name>Edge` and `<Name>Connection` for a node type, in the contract's shape. */
export function connectionType<Node>(
  name: string,
  nodeType: ObjectRef<typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never, Node>,
) {
  const Edge = builder.objectRef<{ cursor: () => string; node: Node }>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.string({ resolve: (edge) => edge.cursor() }),
      // TypeScript cannot resolve Pothos' result type for a generic Node; the ref ties it to Node already.
      node: t.field({ type: nodeType, resolve: (edge) => edge.node as never }),
    }),
  });
  return builder.objectRef<ConnectionPage<Node>>(`${name}Connection`).implement({
    fields: (t) => ({
      // Edges only when selected: most lists read nodes alone.
      edges: t.field({ type: [Edge], resolve: (page) => page.nodes.map((node, index) => ({ cursor: () => page.cursorAt(index)!, node })) }),
      nodes: t.field({ type: [nodeType], resolve: (page) => page.nodes as never }),
      pageInfo: t.field({ type: PageInfoType, resolve: (page) => page.pageInfo }),
      totalCount: t.int({ description: "Exact, and honours the filter.", resolve: (page) => page.totalCount() }),
    }),
  });
}
