import madge from "madge";
import { expect, test } from "vitest";

// The shape of src as imports show it; type-only imports count too.
const graph = await madge("src", {
  fileExtensions: ["ts"],
  tsConfig: "tsconfig.json",
  excludeRegExp: [/generated\//],
});
const imports = graph.obj();

test("no import cycle in src", () => {
  expect(graph.circular()).toEqual([]);
});

test("error classes load nothing: pure logic throws them without the schema", () => {
  expect(imports["errors.ts"]).toEqual([]);
});

test("graphql/ holds what every domain shares and imports no domain", () => {
  const domains = /^(users|organizations|channels|members)\//;
  const intoDomains = Object.entries(imports)
    .filter(([file]) => file.startsWith("graphql/"))
    .flatMap(([file, targets]) => targets.filter((target) => domains.test(target)).map((target) => `${file} → ${target}`));
  expect(intoDomains).toEqual([]);
});

test("only schema files load the schema builder: `<topic>-schema.ts` in a domain, graphql/ and the entry points", () => {
  const loadsBuilder = new Set(["graphql/builder.ts"]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [file, targets] of Object.entries(imports)) {
      if (!loadsBuilder.has(file) && targets.some((target) => loadsBuilder.has(target))) {
        loadsBuilder.add(file);
        grew = true;
      }
    }
  }
  const isSchemaFile = (file: string) =>
    file.startsWith("graphql/") || file.endsWith("-schema.ts") || ["schema.ts", "server.ts", "main.ts"].includes(file);
  expect([...loadsBuilder].filter((file) => !isSchemaFile(file)).sort()).toEqual([]);
});

test("nothing in src runs an AsyncLocalStorage: on Node 20 its promise hooks cost every request of the process a fifth of its CPU", async () => {
  const { readdir, readFile } = await import("node:fs/promises");
  const files = (await readdir("src", { recursive: true })).filter((file) => file.endsWith(".ts") && !file.includes("generated"));
  const users: string[] = [];
  for (const file of files)
    if (/new AsyncLocalStorage|createHook\(|from "node:async_hooks"/.test(await readFile(`src/${file}`, "utf8"))) users.push(file);
  expect(users).toEqual([]);
});
