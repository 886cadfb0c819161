// Seeds a store with pre-encoded documents (the demo centre). Applying the same fixed update on
// every device yields byte-identical documents, so sync between two seeded devices merges nothing.
import type { Repo } from '../repo/repo';

/** The Yjs client id that wrote the seed. Never used by a live device (those are random 32-bit). */
export const SEED_CLIENT_ID = 1;
export const SEED_FORMAT = 1;
export const SEED_ORIGIN = 'plateau:seed';

export interface SeedFile {
	format: number;
	centreId: string;
	/** docId → base64 of one Yjs update. */
	docs: Record<string, string>;
}

function fromBase64(text: string): Uint8Array {
	const binary = atob(text);
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

/** Applies every seed document; `onProgress` gets (done, total) for a progress bar. */
export async function applySeed(
	repo: Repo,
	seed: SeedFile,
	onProgress?: (done: number, total: number) => void
): Promise<void> {
	if (seed.format !== SEED_FORMAT) throw new Error(`Seed format ${seed.format} is not supported.`);
	const entries = Object.entries(seed.docs);
	let done = 0;
	for (const [id, update] of entries) {
		await repo.apply(id, fromBase64(update), SEED_ORIGIN);
		onProgress?.(++done, entries.length);
	}
	await repo.flush();
}

/** The demo centre's seed, loaded only when needed (it is the largest asset). */
export async function loadDemoSeed(): Promise<SeedFile> {
	return (await import('./demo-centre.json')).default as SeedFile;
}
