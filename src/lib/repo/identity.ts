// An agent's identity: an ECDSA P-256 key pair (WebCrypto, in every browser and Node 20) and the
// agent id derived from its public key, `agent-` + 24 base-32 characters of its SHA-256. Nobody can
// claim an agent id without the private key: in hello, each side signs both nonces, both network
// ids and the connection's channel binding (proveHello), and the verifier checks the signature and
// that the id is the key's (verifyHello).
// The agent's devices share one identity, passed from one to the next by a pairing code.
import { fromBase64, toBase64 } from '../domain/base64';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNATURE = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Crockford's base 32, lowercase: ids stay within the id alphabet [a-z0-9]. */
const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
const encoder = new TextEncoder();

export interface AgentIdentity {
	agentId: string;
	/** The public key, raw (65 bytes: 0x04, x, y). */
	publicKey: Uint8Array;
	privateKey: CryptoKey;
}

/** An identity as stored on the device and carried by pairing. */
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

function subtle(): SubtleCrypto {
	const s = globalThis.crypto?.subtle;
	if (!s) throw new IdentityError('WebCrypto is not available: open Plateau over https or on localhost.');
	return s;
}

function base32(bytes: Uint8Array, length: number): string {
	let out = '';
	let buffer = 0;
	let bits = 0;
	for (const byte of bytes) {
		buffer = (buffer << 8) | byte;
		bits += 8;
		while (bits >= 5 && out.length < length) {
			out += BASE32[(buffer >>> (bits - 5)) & 31];
			bits -= 5;
		}
		buffer &= 0xff;
	}
	return out;
}

/** The agent id of a public key. */
export async function agentIdOf(publicKey: Uint8Array): Promise<string> {
	const hash = new Uint8Array(await subtle().digest('SHA-256', publicKey as Uint8Array<ArrayBuffer>));
	return `agent-${base32(hash, 24)}`;
}

export async function generateIdentity(): Promise<AgentIdentity> {
	const pair = (await subtle().generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
	const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
	return { agentId: await agentIdOf(publicKey), publicKey, privateKey: pair.privateKey };
}

export async function exportIdentity(identity: AgentIdentity): Promise<ExportedIdentity> {
	return {
		agentId: identity.agentId,
		publicKey: toBase64(identity.publicKey),
		privateKey: await subtle().exportKey('jwk', identity.privateKey)
	};
}

/** Reads a stored or received identity; throws IdentityError unless the id is the public key's and
 *  the private key signs for it. */
export async function importIdentity(value: unknown): Promise<AgentIdentity> {
	if (typeof value !== 'object' || value === null) throw new IdentityError('not an identity');
	const v = value as Partial<ExportedIdentity>;
	const publicKey = typeof v.publicKey === 'string' ? fromBase64(v.publicKey) : undefined;
	if (!publicKey || publicKey.length !== 65)
		throw new IdentityError('the public key is missing or malformed');
	if (typeof v.agentId !== 'string' || v.agentId !== (await agentIdOf(publicKey)))
		throw new IdentityError('the agent id is not the public key’s');
	let privateKey: CryptoKey;
	try {
		privateKey = await subtle().importKey('jwk', v.privateKey as JsonWebKey, ALGORITHM, true, ['sign']);
	} catch {
		throw new IdentityError('the private key is missing or malformed');
	}
	const identity = { agentId: v.agentId, publicKey, privateKey };
	const probe = encoder.encode('plateau/identity-check');
	if (!(await verifySignature(publicKey, probe, await sign(identity, probe))))
		throw new IdentityError('the private key does not match the public key');
	return identity;
}

export async function sign(identity: AgentIdentity, data: Uint8Array): Promise<Uint8Array> {
	return new Uint8Array(await subtle().sign(SIGNATURE, identity.privateKey, data as Uint8Array<ArrayBuffer>));
}

export async function verifySignature(
	publicKey: Uint8Array,
	data: Uint8Array,
	signature: Uint8Array
): Promise<boolean> {
	try {
		const key = await subtle().importKey('raw', publicKey as Uint8Array<ArrayBuffer>, ALGORITHM, false, [
			'verify'
		]);
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
 *  with `publicKey` (base64), holds that key on this very connection, and that the id is the key's. */
export async function verifyHello(
	agentId: string,
	publicKey: string,
	signature: Uint8Array,
	context: HelloContext
): Promise<boolean> {
	const key = fromBase64(publicKey);
	if (!key || key.length !== 65 || (await agentIdOf(key)) !== agentId) return false;
	return verifySignature(key, helloProofData(agentId, context), signature);
}
