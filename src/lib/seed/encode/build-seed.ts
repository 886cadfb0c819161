// Encodes the demo centre (src/lib/seed/demo) into one fixed Yjs update per document:
// src/lib/seed/demo-centre.json. Every device that seeds the demo then holds byte-identical
// documents, so peers never see an article twice. Run with `npm run seed` after editing src/lib/seed/demo.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoRolesMatch, signDemoRoles } from './demo-roles';
import { encodeDemoCentre, readDemoSource, SIGNED_ROLES_FILE } from './demo-source';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = join(root, 'src/lib/seed/demo');
const read = () => readDemoSource(dir, readdirSync, (p) => readFileSync(p, 'utf8'));
let source = read();
if (!demoRolesMatch(source.signedRoles, source.centre.id, source.roles)) {
	// The roles changed (or were never signed): a fresh founder key signs them, then is forgotten.
	const signed = await signDemoRoles(source.centre.id, source.roles);
	writeFileSync(join(dir, SIGNED_ROLES_FILE), JSON.stringify(signed, null, '\t') + '\n');
	console.log(`Signed ${signed.records.length} demo role records (founder ${signed.founder})`);
	source = read();
}
const seed = encodeDemoCentre(source);
const out = join(root, 'src/lib/seed/demo-centre.json');
writeFileSync(out, JSON.stringify(seed, null, '\t') + '\n');
console.log(
	`Wrote ${Object.keys(seed.docs).length} documents (${source.articles.length} articles) to ${out}`
);
