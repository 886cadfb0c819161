// The signing scheme of records that sign themselves (publications, repo/revisions.ts; lifecycle
// records, repo/lifecycle.ts; review intervals, repo/review-intervals.ts): what is signed is the
// record's fields, lib0-encoded with a domain tag in a fixed order by the schema, then the SHA-256
// of the signer's key chain; the record's id is the SHA-256 of the fields without the chain (ECDSA
// signatures are malleable, so the id never covers the signature).
import { toHexString as hex } from 'lib0/buffer';
import { toBase64 } from '../domain/base64';
import { Memo } from '../domain/memo';
import { sha256 } from '../domain/subtle';
import { provingKeyOf, sign, verifySignature, type AgentIdentity } from './identity';

/** SHA-256 of key chains: a fill's records come from a handful of signers. */
const chainHashes = new Memo<Uint8Array>(1024);

export function chainHash(chain: Uint8Array): Promise<Uint8Array> {
	const bytes = chain.slice();
	return chainHashes.get(toBase64(bytes), () => sha256(bytes));
}

/** The bytes a signature covers: the encoded fields, then the chain's SHA-256. */
export function signedBytes(fields: Uint8Array, chainDigest: Uint8Array): Uint8Array {
	const out = new Uint8Array(fields.length + chainDigest.length);
	out.set(fields);
	out.set(chainDigest, fields.length);
	return out;
}

export async function signedData(fields: Uint8Array, chain: Uint8Array): Promise<Uint8Array> {
	return signedBytes(fields, await chainHash(chain));
}

/** A record's id from the SHA-256 of its encoded fields: hex of its first 16 bytes. */
export function idOfHash(fieldsHash: Uint8Array): string {
	return hex(fieldsHash.subarray(0, 16));
}

/** A record's id: hex of the first 16 bytes of the SHA-256 of its encoded fields. */
export async function recordId(fields: Uint8Array): Promise<string> {
	return idOfHash(await sha256(fields));
}

/** This device's signature over the encoded fields (with its chain). */
export async function signRecordFields(identity: AgentIdentity, fields: Uint8Array): Promise<Uint8Array> {
	return sign(identity, await signedData(fields, identity.publicKey));
}

/** Why the signature of `signer` over the encoded fields does not hold, or undefined: the chain
 *  must prove the signer (else it is unknown) and the signature verify with the chain's key. */
export async function recordSignatureProblem(
	signer: string,
	fields: Uint8Array,
	chain: Uint8Array,
	signature: Uint8Array
): Promise<string | undefined> {
	const key = await provingKeyOf(signer, chain);
	if (!key) return `its signer is unknown (the key chain does not prove ${signer})`;
	if (!(await verifySignature(key, await signedData(fields, chain), signature)))
		return 'its signature does not verify';
	return undefined;
}

/** What the records of a map are called in the reasons for refusing an update to it. */
export interface RecordNouns {
	/** In "adds … that is refused". */
	added: string;
	/** In "changes or removes …". */
	altered: string;
}

/** Why a peer's update must be refused for what it does to a map of signed records
 *  (schema/append-only.ts), or undefined: it changes or removes one, or adds one that `problem`
 *  refuses (the first, with its reason). No added record costs no promise. */
export function recordChangesProblem(
	changes: { added: ReadonlyMap<string, unknown>; altered: boolean },
	nouns: RecordNouns,
	problem: (value: unknown, id: string) => Promise<string | undefined>
): Promise<string | undefined> | undefined {
	if (changes.altered) return Promise.resolve(`changes or removes ${nouns.altered}`);
	if (!changes.added.size) return undefined;
	return (async () => {
		for (const [id, value] of changes.added) {
			const reason = await problem(value, id);
			if (reason) return `adds ${nouns.added} that is refused: ${reason}`;
		}
		return undefined;
	})();
}

/** What a record's bytes prove by themselves (no centre, no rights): its id, or why not one. */
export interface RecordCheck {
	id?: string;
	problem?: string;
}

/** How one kind of record signed by its `signer` reads and encodes (schema), for `selfCheck`. */
export interface SignerRecordFormat<R extends { signer: string; chain: Uint8Array; signature: Uint8Array }> {
	/** "a review interval record": what a value that is not one is called. */
	noun: string;
	decode(bytes: Uint8Array): R | undefined;
	fieldsProblem(r: R): string | undefined;
	encodeFields(r: R): Uint8Array;
}

/** Why a record's bytes do not hold by themselves (decoding, fields, chain, signature), with its
 *  id when they do. */
export async function selfCheck<R extends { signer: string; chain: Uint8Array; signature: Uint8Array }>(
	bytes: unknown,
	format: SignerRecordFormat<R>
): Promise<RecordCheck> {
	const r = bytes instanceof Uint8Array ? format.decode(bytes) : undefined;
	if (!r) return { problem: `it is not ${format.noun}` };
	const fields = format.fieldsProblem(r);
	if (fields) return { problem: fields };
	const encoded = format.encodeFields(r);
	const signature = await recordSignatureProblem(r.signer, encoded, r.chain, r.signature);
	if (signature) return { problem: signature };
	return { id: await recordId(encoded) };
}

/** Results of a record check by the record's bytes (a result depends on the bytes alone): by the
 *  value itself for a document's own values (no re-encoding at each vet), else by its base64; at
 *  most `max` kept, oldest out first. */
export class RecordVerifications {
	readonly #check: (bytes: Uint8Array) => Promise<RecordCheck>;
	readonly #byValue = new WeakMap<Uint8Array, RecordCheck>();
	readonly #results = new Map<string, RecordCheck>();
	readonly #max: number;

	constructor(check: (bytes: Uint8Array) => Promise<RecordCheck>, max = 20_000) {
		this.#check = check;
		this.#max = max;
	}

	get(bytes: Uint8Array): RecordCheck | undefined {
		const held = this.#byValue.get(bytes);
		if (held) return held;
		const check = this.#results.get(toBase64(bytes));
		if (check) this.#byValue.set(bytes, check);
		return check;
	}

	/** Checks the records not checked yet. */
	async verify(records: Iterable<unknown>): Promise<void> {
		for (const bytes of records) {
			if (!(bytes instanceof Uint8Array) || this.get(bytes)) continue;
			const check = await this.#check(bytes);
			this.#byValue.set(bytes, check);
			this.#results.set(toBase64(bytes), check);
			if (this.#results.size > this.#max) this.#results.delete(this.#results.keys().next().value!);
		}
	}
}
