// Encodes the demo centre (src/lib/seed/demo) into one fixed Yjs update per document:
// src/lib/seed/demo-centre.json. Every device that seeds the demo then holds byte-identical
// documents, so peers never see an article twice. Run with `npm run seed` after editing src/lib/seed/demo.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeDemoCentre, readDemoSource } from './demo-source';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const source = readDemoSource(join(root, 'src/lib/seed/demo'), readdirSync, (p) => readFileSync(p, 'utf8'));
const seed = encodeDemoCentre(source);
const out = join(root, 'src/lib/seed/demo-centre.json');
writeFileSync(out, JSON.stringify(seed, null, '\t') + '\n');
console.log(
	`Wrote ${Object.keys(seed.docs).length} documents (${source.articles.length} articles) to ${out}`
);
