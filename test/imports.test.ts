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
