// A signed entry: one change to a guarded document (a note, an access document, the centre
// document) as its writer's device signed it, so any peer can check who wrote it whatever path it
// took. What is signed: a domain tag, the entry's kind, the document id, the SHA-256 of the Yjs
// update, and the SHA-256 of the signer's key chain (identity.ts) — a signature cannot be moved to
// another document, another update or another chain. An entry's hash (its id in logs and on the
// wire) is over the same data without the chain: two devices signing the very same update (the
// demo centre's seed) make one entry, and a re-signed copy of an entry is known as a duplicate.
// ECDSA signatures are malleable, so the hash never covers the signature.
//
// Stored form (one chunk of the document's log, sync-log.ts): kind, document id, update, chain,
// signature, lib0-encoded. On the wire the chain may be a reference (sync-protocol.ts).
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { toBase64 } from '../domain/base64';
import { toHexString } from 'lib0/buffer';
import { sha256 } from '../domain/subtle';
import { agentIdOf, provingKeyOf, sign, verifySignature, type AgentIdentity } from './identity';
import { ENTRY_HASH_BYTES } from './sync-protocol';

export const ENTRY_UPDATE = 0;
export const ENTRY_SNAPSHOT = 1;

const TAG = new TextEncoder().encode('plateau/signed-entry/v1');
const encoder = new TextEncoder();

export interface SignedEntry {
	/** ENTRY_UPDATE or ENTRY_SNAPSHOT. */
	kind: number;
	docId: string;
	update: Uint8Array;
	/** The signer's key chain: its last key signed. */
	chain: Uint8Array;
	signature: Uint8Array;
}

function concat(parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

/** SHA-256 of tag, kind, document id and the update's hash: what both the hash and the signature
 *  start from. */
async function entryDigest(kind: number, docId: string, update: Uint8Array): Promise<Uint8Array> {
	const id = encoder.encode(docId);
	return sha256(concat([TAG, new Uint8Array([0, kind, 0]), id, new Uint8Array([0]), await sha256(update)]));
}

async function signedData(digest: Uint8Array, chain: Uint8Array): Promise<Uint8Array> {
	return concat([digest, await sha256(chain)]);
}

/** The entry's hash as text (hex of its first 16 bytes), its key in logs. */
export function hashText(hash: Uint8Array): string {
	return toHexString(hash);
}

export function hashBytes(text: string): Uint8Array {
	const out = new Uint8Array(ENTRY_HASH_BYTES);
	for (let i = 0; i < ENTRY_HASH_BYTES; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
	return out;
}

/** The entry's hash (see the top of the file), as text. */
export async function entryHash(e: Pick<SignedEntry, 'kind' | 'docId' | 'update'>): Promise<string> {
	return hashText((await entryDigest(e.kind, e.docId, e.update)).subarray(0, ENTRY_HASH_BYTES));
}

/** Signs a change to a guarded document with this device's key. */
export async function signEntry(
	identity: AgentIdentity,
	kind: number,
	docId: string,
	update: Uint8Array
): Promise<SignedEntry> {
	const digest = await entryDigest(kind, docId, update);
	const signature = await sign(identity, await signedData(digest, identity.publicKey));
	return { kind, docId, update, chain: identity.publicKey, signature };
}

export function encodeEntry(e: SignedEntry): Uint8Array {
	const enc = encoding.createEncoder();
	encoding.writeVarUint(enc, e.kind);
	encoding.writeVarString(enc, e.docId);
	encoding.writeVarUint8Array(enc, e.update);
	encoding.writeVarUint8Array(enc, e.chain);
	encoding.writeVarUint8Array(enc, e.signature);
	return encoding.toUint8Array(enc);
}

/** A stored entry back; throws when the bytes are not one. */
export function decodeEntry(bytes: Uint8Array): SignedEntry {
	const d = decoding.createDecoder(bytes);
	const e: SignedEntry = {
		kind: decoding.readVarUint(d),
		docId: decoding.readVarString(d),
		update: decoding.readVarUint8Array(d),
		chain: decoding.readVarUint8Array(d),
		signature: decoding.readVarUint8Array(d)
	};
	if (decoding.hasContent(d) || e.kind > ENTRY_SNAPSHOT) throw new Error('not a signed entry');
	return e;
}

/** Who signed an entry, once checked. */
export interface Signer {
	agentId: string;
	/** The chain as base64 (Hello.key's form). */
	key: string;
}

/** Verifies key chains once each (a chain is checked with one signature per endorsement) and
 *  remembers the result, within a bound. One per Synchronizer: nothing is module-level. */
export class ChainCache {
	readonly #known = new Map<string, { agentId: string; deviceKey: Uint8Array } | null>();
	readonly #max: number;

	constructor(max = 1_024) {
		this.#max = max;
	}

	/** The agent and device key a chain proves, or undefined if it proves none. */
	async resolve(chain: Uint8Array): Promise<{ agentId: string; deviceKey: Uint8Array } | undefined> {
		const key = toBase64(chain);
		const hit = this.#known.get(key);
		if (hit !== undefined) {
			this.#known.delete(key);
			this.#known.set(key, hit);
			return hit ?? undefined;
		}
		let value: { agentId: string; deviceKey: Uint8Array } | null = null;
		if (chain.length >= 65) {
			const agentId = await agentIdOf(chain.subarray(0, 65));
			const deviceKey = await provingKeyOf(agentId, chain);
			if (deviceKey) value = { agentId, deviceKey };
		}
		this.#known.set(key, value);
		if (this.#known.size > this.#max) this.#known.delete(this.#known.keys().next().value!);
		return value ?? undefined;
	}
}

/** The signer of an entry if its chain and signature verify; undefined otherwise. */
export async function verifyEntry(e: SignedEntry, chains: ChainCache): Promise<Signer | undefined> {
	const proven = await chains.resolve(e.chain);
	if (!proven) return undefined;
	const data = await signedData(await entryDigest(e.kind, e.docId, e.update), e.chain);
	if (!(await verifySignature(proven.deviceKey, data, e.signature))) return undefined;
	return { agentId: proven.agentId, key: toBase64(e.chain) };
}
