// npx tsx bench/profile-summary.ts PROFILE.cpuprofile REQUESTS — where the gateway's
// CPU time went per request, by part (HTTP, parse, validate, auth, …), from a
// profile written by `node --cpu-prof` (BENCH_PROFILE=dir npm run bench:queries).
// A sample counts towards the innermost frame on its stack that belongs to a
// known part, so that built-ins (JSON.stringify, Map.get) count towards their caller.
// Start-up (module loading, migrations) is left out: samples count from the first request.
import { readFileSync } from "node:fs";

type Node = { id: number; callFrame: { functionName: string; url: string }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const PARTS: [part: string, test: RegExp][] = [
  ["logging", /node_modules\/(pino|thread-stream|sonic-boom)|src\/plugins\/request-(log|record)|src\/logger/],
  ["metrics", /node_modules\/prom-client|src\/plugins\/metrics/],
  ["rate limit", /node_modules\/rate-limiter-flexible|src\/auth\/rate-limit/],
  ["auth", /src\/auth\//],
  ["validate + limits", /graphql\/validation|graphql-armor|src\/plugins\/query-limits|src\/plugins\/known-operation/],
  ["parse", /graphql\/language/],
  ["SQL (Prisma, driver)", /node_modules\/(@prisma|\.prisma|pg|pg-protocol|pg-pool|pg-types|postgres-)|src\/db\//],
  [
    "execution (GraphQL, resolvers)",
    /graphql\/execution|graphql-jit|@pothos|dataloader|graphql\/type|src\/(users|organizations|graphql|channels|members|preferences|plugins\/compiled)/,
  ],
  ["Yoga, envelop (request pipeline)", /graphql-yoga|@envelop|@graphql-yoga|@graphql-tools|@whatwg-node\/server/],
  [
    "HTTP (node:http, fetch API objects)",
    /node:_http|node:net|node:internal\/(streams|http|stream_base)|@whatwg-node|undici|node:internal\/deps\/undici/,
  ],
  ["garbage collection", /^\(garbage collector\)$/],
];

const SYSTEM_CALLS = new Set(["writev", "writeBuffer", "writeString", "writeUtf8String", "writeLatin1String", "writeAsciiString"]);

const [file, requestsArgument] = process.argv.slice(2);
if (!file || !requestsArgument) {
  console.error("Usage: npx tsx bench/profile-summary.ts PROFILE.cpuprofile REQUESTS");
  process.exit(1);
}
const requests = Number(requestsArgument);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const partOf = new Map<number, string>();
function part(id: number): string {
  const known = partOf.get(id);
  if (known) return known;
  const { callFrame } = byId.get(id)!;
  const key = callFrame.url || callFrame.functionName;
  if (callFrame.functionName === "(idle)" || callFrame.functionName === "(program)") return "idle";
  // The kernel's share, which a busy machine inflates most: apart, whoever calls it.
  if (!callFrame.url && SYSTEM_CALLS.has(callFrame.functionName)) return "system calls (socket and stdout writes)";
  let found = PARTS.find(([, test]) => test.test(key))?.[0];
  if (!found) found = parent.has(id) ? part(parent.get(id)!) : "other";
  partOf.set(id, found);
  return found;
}

/** Whether a node's stack is inside the HTTP request handler: the profile counts from the first such sample, after start-up. */
function inRequest(id: number | undefined): boolean {
  for (let at = id; at !== undefined; at = parent.get(at)) {
    if (byId.get(at)!.callFrame.functionName === "requestListener") return true;
  }
  return false;
}
const firstRequest = profile.samples.findIndex((id) => inRequest(id));

const microseconds = new Map<string, number>();
profile.samples.forEach((id, i) => {
  if (i < firstRequest) return;
  const name = part(id);
  microseconds.set(name, (microseconds.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const busy = [...microseconds].filter(([name]) => name !== "idle").reduce((sum, [, us]) => sum + us, 0);
console.log(`| part | µs per request | share |\n| --- | ---: | ---: |`);
for (const [name, us] of [...microseconds].filter(([n]) => n !== "idle").sort((a, b) => b[1] - a[1])) {
  console.log(`| ${name} | ${Math.round(us / requests)} | ${Math.round((us / busy) * 100)} % |`);
}
console.log(`| **total CPU** | **${Math.round(busy / requests)}** | |`);
console.log(
  `\n${requests} requests; idle ${Math.round((microseconds.get("idle") ?? 0) / 1000)} ms of ${Math.round((busy + (microseconds.get("idle") ?? 0)) / 1000)} ms.`,
);
