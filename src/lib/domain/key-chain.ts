// Key chains, verified without any device state: an agent id is `agent-` + 24 base-32 characters of
// the SHA-256 of the agent's first public key; a chain is that key, then per endorsed device its key
// and the previous key's signature over it (repo/identity.ts makes and uses them). Here so that
// records verified in the schema layer (signed role records, schema/roles.ts) and the sync layer
// check chains with the very same code.
import { toBase64 } from './base64';
import { crockford } from './codes';
import { Memo } from './memo';
import { sha256, subtle } from './subtle';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNATURE = { name: 'ECDSA', hash: 'SHA-256' } as const;
const encoder = new TextEncoder();
export const KEY_BYTES = 65;
export const SIGNATURE_BYTES = 64;
export const LINK_BYTES = KEY_BYTES + SIGNATURE_BYTES;
/** Endorsements a chain may hold: a device six pairings away from the first still proves itself.
 *  The chain's base64 text is then at most 1,120 characters (Hello.key's limit). */
export const MAX_ENDORSEMENTS = 6;

/** The agent id of a public key. */
export async function agentIdOf(publicKey: Uint8Array): Promise<string> {
	const hash = await sha256(publicKey);
	return `agent-${crockford(hash, 24)}`;
}

/** What the device that endorses another signs: the agent and the new device's key. */
export function endorsementData(agentId: string, deviceKey: Uint8Array): Uint8Array {
	return encoder.encode(`plateau/endorse-device/v1\n${agentId}\n${toBase64(deviceKey)}`);
}

/** Results by agent id and chain, and imported public keys by their bytes: both depend on their
 *  input alone, and a fill checks thousands of records signed through a handful of chains. */
const provingKeys = new Memo<Uint8Array | undefined>(1024);
const publicKeys = new Memo<CryptoKey>(1024);

/**
 * The key that proves `agentId` through `chain` (bytes; repo/identity.ts also takes base64 text):
 * the chain's first key must be the id's and every endorsement must verify. Undefined otherwise.
 * Computed once per agent id and chain (a memo of the outcome, whichever it is).
 */
export async function provingKeyOfBytes(agentId: string, bytes: Uint8Array): Promise<Uint8Array | undefined> {
	const key = await provingKeys.get(`${agentId}\n${toBase64(bytes)}`, () => chainKey(agentId, bytes.slice()));
	return key?.slice();
}

async function chainKey(agentId: string, bytes: Uint8Array): Promise<Uint8Array | undefined> {
	if (bytes.length < KEY_BYTES || (bytes.length - KEY_BYTES) % LINK_BYTES !== 0) return undefined;
	if ((bytes.length - KEY_BYTES) / LINK_BYTES > MAX_ENDORSEMENTS) return undefined;
	let key = bytes.subarray(0, KEY_BYTES);
	if ((await agentIdOf(key)) !== agentId) return undefined;
	for (let at = KEY_BYTES; at < bytes.length; at += LINK_BYTES) {
		const next = bytes.subarray(at, at + KEY_BYTES);
		const signature = bytes.subarray(at + KEY_BYTES, at + LINK_BYTES);
		if (!(await verifySignature(key, endorsementData(agentId, next), signature))) return undefined;
		key = next;
	}
	return key.slice();
}

export async function signWith(privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
	return new Uint8Array(await subtle().sign(SIGNATURE, privateKey, data as Uint8Array<ArrayBuffer>));
}

export async function verifySignature(
	publicKey: Uint8Array,
	data: Uint8Array,
	signature: Uint8Array
): Promise<boolean> {
	try {
		const raw = publicKey.slice();
		const key = await publicKeys.get(toBase64(raw), () =>
			subtle().importKey('raw', raw as Uint8Array<ArrayBuffer>, ALGORITHM, false, ['verify'])
		);
		return await subtle().verify(
			SIGNATURE,
			key,
			signature as Uint8Array<ArrayBuffer>,
			data as Uint8Array<ArrayBuffer>
		);
	} catch {
		return false;
	}
}
