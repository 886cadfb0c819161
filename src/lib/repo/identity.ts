// An agent's identity: ECDSA P-256 keys (WebCrypto, in every browser and Node 20) and the agent id
// derived from the agent's first public key, `agent-` + 24 base-32 characters of its SHA-256.
// Nobody can claim an agent id without a key it endorsed: in hello, each side signs both nonces,
// both network ids and the connection's channel binding (proveHello), and the verifier checks the
// signature and that the key is the id's (verifyHello).
//
// Each device has its own key pair, never extractable: the private key stays a CryptoKey object
// kept in the device's IndexedDB, so no script, storage dump or pairing ever sees its bytes. The
// agent's first device's key is the agent key; a device paired later gets its own key endorsed by
// the device that showed the pairing code. What hello carries as `key` is the chain from the agent
// key to this device's key: the agent key (65 raw bytes), then per endorsed device its key (65)
// and the previous key's signature over it (64). A first device's chain is its key alone — the
// same bytes as before devices were endorsed.
import { fromBase64, toBase64 } from '../domain/base64';
import {
	agentIdOf,
	endorsementData,
	KEY_BYTES,
	LINK_BYTES,
	MAX_ENDORSEMENTS,
	provingKeyOfBytes,
	signWith,
	verifySignature
} from '../domain/key-chain';
import { subtle } from '../domain/subtle';

// Chains are checked in domain/key-chain.ts (signed role records verify them in the schema layer).
export { agentIdOf, MAX_ENDORSEMENTS, verifySignature };

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const encoder = new TextEncoder();
export const MAX_KEY_CHAIN_TEXT = 4 * Math.ceil((KEY_BYTES + MAX_ENDORSEMENTS * LINK_BYTES) / 3);

export interface AgentIdentity {
	agentId: string;
	/** The key chain hello carries (see the top of this file): the agent key, then each endorsed
	 *  device key with its endorsement. Its last key is this device's. */
	publicKey: Uint8Array;
	/** This device's private key, not extractable. */
	privateKey: CryptoKey;
}

/** An identity as kept in the device's storage: a structured clone, so the private key stays a
 *  CryptoKey object whose bytes nobody can read. */
export interface StoredIdentity {
	version: 2;
	agentId: string;
	chain: Uint8Array;
	privateKey: CryptoKey;
}

/** An identity as stored before device keys (localStorage, JSON): read once to migrate it. */
export interface ExportedIdentity {
	agentId: string;
	publicKey: string;
	privateKey: JsonWebKey;
}

export class IdentityError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'IdentityError';
	}
}

/** A new device key pair; the private key is not extractable. */
export async function newDeviceKey(): Promise<{ publicKey: Uint8Array; privateKey: CryptoKey }> {
	const pair = (await subtle().generateKey(ALGORITHM, false, ['sign', 'verify'])) as CryptoKeyPair;
	return {
		publicKey: new Uint8Array(await subtle().exportKey('raw', pair.publicKey)),
		privateKey: pair.privateKey
	};
}

/** A new agent: this device's key is the agent key. */
export async function generateIdentity(): Promise<AgentIdentity> {
	const device = await newDeviceKey();
	return { agentId: await agentIdOf(device.publicKey), ...device };
}

/** The key chain of another device of this agent: this device's chain, the device's key, and this
 *  device's signature over both. Throws IdentityError when the chain is already as long as allowed
 *  (pair from a device nearer the first). */
export async function endorseDevice(identity: AgentIdentity, deviceKey: Uint8Array): Promise<Uint8Array> {
	if (deviceKey.length !== KEY_BYTES || deviceKey[0] !== 4) throw new IdentityError('not a device key');
	if (identity.publicKey.length + LINK_BYTES > KEY_BYTES + MAX_ENDORSEMENTS * LINK_BYTES)
		throw new IdentityError('this device is too many pairings away from the first to endorse another');
	const signature = await sign(identity, endorsementData(identity.agentId, deviceKey));
	const chain = new Uint8Array(identity.publicKey.length + LINK_BYTES);
	chain.set(identity.publicKey, 0);
	chain.set(deviceKey, identity.publicKey.length);
	chain.set(signature, identity.publicKey.length + KEY_BYTES);
	return chain;
}

/**
 * The key that proves `agentId` through `chain` (base64 text, as hello carries it, or bytes):
 * the chain's first key must be the id's and every endorsement must verify. Undefined otherwise.
 */
export async function provingKeyOf(
	agentId: string,
	chain: string | Uint8Array
): Promise<Uint8Array | undefined> {
	const bytes = typeof chain === 'string' ? fromBase64(chain) : chain;
	return bytes ? provingKeyOfBytes(agentId, bytes) : undefined;
}

/** The agent id a chain proves (its first key's), or undefined for a chain that does not verify. */
export async function agentIdOfChain(chain: Uint8Array): Promise<string | undefined> {
	if (chain.length < KEY_BYTES) return undefined;
	const agentId = await agentIdOf(chain.subarray(0, KEY_BYTES));
	return (await provingKeyOf(agentId, chain)) ? agentId : undefined;
}

/** The last key of a chain (this device's): the agent key, or the last endorsed one. */
function lastKey(chain: Uint8Array): Uint8Array {
	const at = chain.length <= KEY_BYTES ? 0 : chain.length - LINK_BYTES;
	return chain.subarray(at, at + KEY_BYTES);
}

/** An identity from a chain and this device's private key; throws IdentityError unless the chain
 *  verifies, ends with `devicePublicKey`, and the private key signs for it. */
export async function identityFromChain(
	chain: Uint8Array,
	devicePublicKey: Uint8Array,
	privateKey: CryptoKey
): Promise<AgentIdentity> {
	const agentId = await agentIdOfChain(chain);
	if (!agentId) throw new IdentityError('the key chain does not verify');
	const last = lastKey(chain);
	if (last.length !== devicePublicKey.length || last.some((b, i) => b !== devicePublicKey[i]))
		throw new IdentityError('the key chain ends with another device’s key');
	const identity = { agentId, publicKey: chain.slice(), privateKey };
	await checkPrivateKey(identity, devicePublicKey);
	return identity;
}

async function checkPrivateKey(identity: AgentIdentity, devicePublicKey: Uint8Array): Promise<void> {
	const probe = encoder.encode('plateau/identity-check');
	let signature: Uint8Array;
	try {
		signature = await sign(identity, probe);
	} catch {
		throw new IdentityError('the private key is missing or malformed');
	}
	if (!(await verifySignature(devicePublicKey, probe, signature)))
		throw new IdentityError('the private key does not match the public key');
}

/** What the device keeps (see StoredIdentity). */
export function storedIdentity(identity: AgentIdentity): StoredIdentity {
	return {
		version: 2,
		agentId: identity.agentId,
		chain: identity.publicKey.slice(),
		privateKey: identity.privateKey
	};
}

/** Reads a stored identity back; throws IdentityError unless it is whole and consistent. */
export async function restoreIdentity(value: unknown): Promise<AgentIdentity> {
	const v = value as Partial<StoredIdentity> | null;
	if (typeof v !== 'object' || v === null || v.version !== 2) throw new IdentityError('not an identity');
	if (!(v.chain instanceof Uint8Array)) throw new IdentityError('the key chain is missing');
	if (!(v.privateKey instanceof CryptoKey))
		throw new IdentityError('the private key is missing or malformed');
	const identity = await identityFromChain(v.chain, lastKey(v.chain), v.privateKey);
	if (identity.agentId !== v.agentId) throw new IdentityError('the agent id is not the key chain’s');
	return identity;
}

/** Reads an identity saved as JSON before device keys (a JWK private key), and imports its key as
 *  not extractable: from then on it can only sign. Throws IdentityError unless the id is the public
 *  key's and the private key signs for it. */
export async function importIdentity(value: unknown): Promise<AgentIdentity> {
	if (typeof value !== 'object' || value === null) throw new IdentityError('not an identity');
	const v = value as Partial<ExportedIdentity>;
	const publicKey = typeof v.publicKey === 'string' ? fromBase64(v.publicKey) : undefined;
	if (!publicKey || publicKey.length !== KEY_BYTES)
		throw new IdentityError('the public key is missing or malformed');
	if (typeof v.agentId !== 'string' || v.agentId !== (await agentIdOf(publicKey)))
		throw new IdentityError('the agent id is not the public key’s');
	let privateKey: CryptoKey;
	try {
		privateKey = await subtle().importKey('jwk', v.privateKey as JsonWebKey, ALGORITHM, false, ['sign']);
	} catch {
		throw new IdentityError('the private key is missing or malformed');
	}
	const identity = { agentId: v.agentId, publicKey, privateKey };
	await checkPrivateKey(identity, publicKey);
	return identity;
}

export function sign(identity: AgentIdentity, data: Uint8Array): Promise<Uint8Array> {
	return signWith(identity.privateKey, data);
}

/** A fresh random nonce for one connection's hello. */
export function newNonce(): string {
	return toBase64(crypto.getRandomValues(new Uint8Array(16)));
}

/** What one proof is bound to: the connection (its channel binding, which both ends compute and a
 *  relay cannot make equal on its two links), both hellos' fresh nonces and both ends' network ids.
 *  A proof relayed from another connection, replayed later or shown to another peer fails. */
export interface HelloContext {
	/** The transport's channel binding of this connection (NetworkAdapter.channelBinding). */
	binding: string;
	/** The nonce in the signer's own hello on this connection. */
	signerNonce: string;
	/** The nonce in the verifier's hello on this connection. */
	verifierNonce: string;
	signer: string;
	verifier: string;
}

function helloProofData(agentId: string, c: HelloContext): Uint8Array {
	return encoder.encode(
		['plateau/hello-proof/v2', agentId, c.binding, c.signerNonce, c.verifierNonce, c.signer, c.verifier].join(
			'\n'
		)
	);
}

export function proveHello(identity: AgentIdentity, context: HelloContext): Promise<Uint8Array> {
	return sign(identity, helloProofData(identity.agentId, context));
}

/** Whether `signature` proves that the peer at the signing end of `context`, claiming `agentId`
 *  with the key chain `publicKey` (base64, Hello.key), holds the chain's last key on this very
 *  connection, and that the chain is the id's. */
export async function verifyHello(
	agentId: string,
	publicKey: string,
	signature: Uint8Array,
	context: HelloContext
): Promise<boolean> {
	const key = await provingKeyOf(agentId, publicKey);
	if (!key) return false;
	return verifySignature(key, helloProofData(agentId, context), signature);
}
