import * as Y from 'yjs';
import { MemoryHub } from '../src/lib/net/memory';
import { Repo } from '../src/lib/repo/repo';
import { CentreSharePolicy } from '../src/lib/repo/share-policy';
import { Synchronizer } from '../src/lib/repo/sync';
import { generateIdentity } from '../src/lib/repo/identity';
import { MemoryStorage } from '../src/lib/storage/memory';
import { FsStorage } from '../src/lib/storage/fs';
import { generateArticles } from '../tests/bench/generate';
import { docId } from '../src/lib/domain/ids';
import { initArticle } from '../src/lib/schema/index';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = Number(process.env.N ?? 5000);
const mk = () => process.env.FS ? new FsStorage(mkdtempSync(join(tmpdir(), 'fp-'))) : new MemoryStorage();
const hub = new MemoryHub();
const idA = await generateIdentity();
const idB = await generateIdentity();
const a = new Repo({ storage: mk() });
let t = performance.now();
for (const art of generateArticles(N, ['compte.acces', 'bourse.ordres'], 380, 7)) { const d = await a.open(docId('article', art.id)); initArticle(d, art.meta, art.body); }
await a.flush();
console.log('seed', Math.round(performance.now() - t));
const b = new Repo({ storage: mk() });
const na = hub.join('a');
const sa = new Synchronizer({ repo: a, network: na, policy: new CentreSharePolicy(idA.agentId), agentId: idA.agentId, floor: 'x', identity: idA });
t = performance.now();
const nb = hub.join('b');
const sb = new Synchronizer({ repo: b, network: nb, policy: new CentreSharePolicy(idB.agentId), agentId: idB.agentId, floor: 'x', identity: idB });
for (;;) { const n = (await b.list()).length; if (n >= N) break; await new Promise(r => setTimeout(r, 20)); }
console.log('fill listed', Math.round(performance.now() - t));
await sb.idle(); await b.flush();
console.log('fill flushed', Math.round(performance.now() - t));
sa.destroy(); sb.destroy();
process.exit(0);
