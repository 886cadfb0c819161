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
