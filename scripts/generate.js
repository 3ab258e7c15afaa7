#!/usr/bin/env node
// Maintainers' generator of the checked-in files made from the code:
//   npm run schema   → schema/scenario.schema.json (from src/scenario/fields.ts)
//   npm run isa      → docs/isa.md (from src/cpu/isa.ts)
// Tests fail when either is stale. Runs on the built dist/ (the npm scripts build first).
import { stableJson, writeAtomic } from '../dist/util/files.js';
import { scenarioSchema } from '../dist/scenario/schema.js';
import { isaDoc } from '../dist/cpu/isadoc.js';

const TARGETS = {
  schema: ['schema/scenario.schema.json', () => stableJson(scenarioSchema())],
  isa: ['docs/isa.md', () => isaDoc()],
};
const what = process.argv[2];
if (!TARGETS[what]) {
  process.stderr.write(`usage: node scripts/generate.js ${Object.keys(TARGETS).join('|')}\n`);
  process.exit(2);
}
const [path, make] = TARGETS[what];
writeAtomic(new URL(`../${path}`, import.meta.url).pathname, make());
process.stderr.write(`wrote ${path}\n`);
