/** Cursors are functions: signing one costs an HMAC, and most pages need the last one at most. */
export type PageInfo = {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: () => string | null;
  endCursor: () => string | null;
};

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
