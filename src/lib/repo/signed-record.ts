// The signing scheme of records that sign themselves (publications, repo/revisions.ts; lifecycle
// records, repo/lifecycle.ts; review intervals, repo/review-intervals.ts): what is signed is the
// record's fields, lib0-encoded with a domain tag in a fixed order by the schema, then the SHA-256
// of the signer's key chain; the record's id is the SHA-256 of the fields without the chain (ECDSA
// signatures are malleable, so the id never covers the signature).
import { toHexString as hex } from 'lib0/buffer';
import { sha256 } from '../domain/subtle';
import { provingKeyOf, sign, verifySignature, type AgentIdentity } from './identity';

/** The bytes a signature covers: the encoded fields, then the chain's SHA-256. */
export async function signedData(fields: Uint8Array, chain: Uint8Array): Promise<Uint8Array> {
	const chainHash = await sha256(chain);
	const out = new Uint8Array(fields.length + chainHash.length);
	out.set(fields);
	out.set(chainHash, fields.length);
	return out;
}

/** A record's id: hex of the first 16 bytes of the SHA-256 of its encoded fields. */
export async function recordId(fields: Uint8Array): Promise<string> {
	return hex((await sha256(fields)).subarray(0, 16));
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
