// npm run schema:print: writes schema.graphql from the Pothos schema.
import { writeFileSync } from "node:fs";
import { printedSchema } from "../src/schema.ts";

writeFileSync(new URL("../schema.graphql", import.meta.url), printedSchema());
console.log("Wrote schema.graphql");
