// Encodes the demo centre (src/lib/seed/demo) into one fixed Yjs update per document:
// src/lib/seed/demo-centre.json. Every device that seeds the demo then holds byte-identical
// documents, so peers never see an article twice. Run with `npm run seed` after editing src/lib/seed/demo.
//
// Signatures cannot be made again byte for byte (ECDSA is randomised, and the keys are thrown away),
// so they are kept beside the source: when a revision's signature no longer holds (its content,
// note, date or publisher changed), every demo agent gets a fresh key and the whole history is
// signed again (demo/history.signed.json); the agents' ids change with their keys, so the roles are
// then signed again too (demo/roles.signed.json).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoRolesMatch, signDemoRoles } from './demo-roles';
import { signDemoHistory, signedRecords, SIGNED_HISTORY_FILE } from './demo-history';
import { encodeDemoCentre, keyedRoleGrants, readDemoSource, SIGNED_ROLES_FILE } from './demo-source';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = join(root, 'src/lib/seed/demo');
const read = () => readDemoSource(dir, readdirSync, (p) => readFileSync(p, 'utf8'));
let source = read();
const names = new Map(source.agents.map((a) => [a.id, a.name]));
const held = await signedRecords(source.plans, source.signedHistory, names);
if ('problem' in held) {
	console.log(`Signing the demo's revisions again (${held.problem})`);
	const signed = await signDemoHistory(
		source.plans,
		source.agents.map((a) => a.id),
		names
	);
	writeFileSync(join(dir, SIGNED_HISTORY_FILE), JSON.stringify(signed, null, '\t') + '\n');
	const count = Object.values(signed.signatures).reduce((n, s) => n + s.length, 0);
	console.log(`Signed ${count} revisions of ${Object.keys(signed.signatures).length} articles`);
	source = read();
}
const grants = await keyedRoleGrants(source);
if (!demoRolesMatch(source.signedRoles, source.centre.id, grants)) {
	// The roles changed (or were never signed, or the agents' keys changed): a fresh founder key
	// signs them, then is forgotten.
	const signed = await signDemoRoles(source.centre.id, grants);
	writeFileSync(join(dir, SIGNED_ROLES_FILE), JSON.stringify(signed, null, '\t') + '\n');
	console.log(`Signed ${signed.records.length} demo role records (founder ${signed.founder})`);
	source = read();
}
const seed = await encodeDemoCentre(source);
const out = join(root, 'src/lib/seed/demo-centre.json');
writeFileSync(out, JSON.stringify(seed, null, '\t') + '\n');
const bytes = Object.values(seed.docs).reduce((n, d) => n + Buffer.from(d, 'base64').length, 0);
console.log(
	`Wrote ${Object.keys(seed.docs).length} documents (${source.articles.length} articles, ${bytes} bytes of updates) to ${out}`
);
