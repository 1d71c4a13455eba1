import type { ObjectRef } from "@pothos/core";
import { builder } from "./builder.ts";

/** Cursors are functions: signing one costs an HMAC, and most pages need the last one at most. */
export type PageInfo = {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: () => string | null;
  endCursor: () => string | null;
};

const PageInfoType = builder.objectRef<PageInfo>("PageInfo").implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean("hasNextPage"),
    hasPreviousPage: t.exposeBoolean("hasPreviousPage"),
    startCursor: t.string({ nullable: true, resolve: (info) => info.startCursor() }),
    endCursor: t.string({ nullable: true, resolve: (info) => info.endCursor() }),
  }),
});

/** A connection page: its nodes, and their cursors signed only when asked for. */
export function connectionPage<Node>(
  nodes: readonly Node[],
  cursorOf: (node: Node) => string,
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean },
  totalCount: () => Promise<number>,
): ConnectionPage<Node> {
  const cursorAt = (index: number) => (index >= 0 && index < nodes.length ? cursorOf(nodes[index]!) : null);
  return {
    nodes,
    cursorAt,
    pageInfo: { ...pageInfo, startCursor: () => cursorAt(0), endCursor: () => cursorAt(nodes.length - 1) },
    totalCount,
  };
}

/** A page of a cursor connection; `totalCount` runs its query only when a client selects it. */
export type ConnectionPage<Node> = {
  nodes: readonly Node[];
  /** The cursor of the node at `index`, null past the page. */
  cursorAt: (index: number) => string | null;
  pageInfo: PageInfo;
  totalCount: () => Promise<number>;
};

/** Where a connection's nodes are selected, below the connection field. */
export const CONNECTION_NODES = [["nodes"], ["edges", "node"]] as const;

/** Declares `<Name>Edge` and `<Name>Connection` for a node type, in the contract's shape. */
export function connectionType<Node>(name: string, nodeType: ObjectRef<typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never, Node>) {
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
