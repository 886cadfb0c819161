// Wire format of Plateau's sync protocol: one binary message per frame, lib0-encoded, tagged with
// its type. Everything from a peer is decoded here and validated before any of it is used.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { MAX_KEY_CHAIN_TEXT } from './identity';

/** 2: the hello proof is bound to the connection (channel binding, both nonces); a version-1 peer
 *  cannot prove itself to a version-2 one, so they do not talk.
 *  3: guarded documents (notes, access documents, the centre document) travel only as signed
 *  entries, reconciled by their logs (sync-signed.ts); a version-2 peer would send them plain. */
export const PROTOCOL_VERSION = 3;

/** Version of batched anti-entropy (syncStep1Batch / syncStep2Batch) a peer announces in its hello.
 *  A feature within protocol 3 rather than a new protocol: a peer that does not announce it is sent
 *  one step 1 / step 2 pair per document, as before, and never a batch (it would refuse the type). */
export const BATCH_VERSION = 1;

export const MessageType = {
	hello: 0,
	inventory: 1,
	syncStep1: 2,
	syncStep2: 3,
	update: 4,
	awareness: 5,
	docAwareness: 6,
	proof: 7,
	signed: 8,
	logHashes: 9,
	logWant: 10,
	syncStep1Batch: 11,
	syncStep2Batch: 12
} as const;

/** Length of an entry hash on the wire (the first 16 bytes of its SHA-256, sync-signed-entry.ts). */
export const ENTRY_HASH_BYTES = 16;

/** One signed entry as it travels (sync-signed-entry.ts says what is signed). The signer's key
 *  chain is inline the first time it is sent on a connection; after that `chainRef` names it by
 *  the order in which it was sent there (1 for the first). */
export interface WireEntry {
	/** 0: an update; 1: a snapshot (full state, or the merge of the signer's own entries). */
	kind: number;
	docId: string;
	update: Uint8Array;
	chain?: Uint8Array;
	chainRef?: number;
	signature: Uint8Array;
}

/** Who a peer says it is, sent first on every connection. */
export interface Hello {
	protocol: number;
	/** The agent using that device. */
	agentId: string;
	floor: string;
	/** Spaces the peer belongs to; only documents of spaces both sides share are exchanged. */
	spaces: string[];
	/** Set on the hello sent back in answer to the peer's; an answer is never answered. Each side
	 *  answers once, so a hello lost because the peer was not listening yet is made good. */
	answer?: boolean;
	/** The agent's key chain (base64, identity.ts: at most 1,120 characters), when the device has an
	 *  identity. */
	key?: string;
	/** A random value chosen for this connection; both sides' nonces are in each proof. */
	nonce?: string;
	/** `hub`: the centre's always-on peer, which holds every shared document of the centre (all
	 *  floors) and never a private one. Self-declared until roles are signed records. */
	role?: 'hub';
	/** The highest batched anti-entropy version this peer understands (BATCH_VERSION); each side
	 *  sends the lower of both sides' versions. Absent: one message per document. */
	batch?: number;
	/** Set locally once the peer proved it holds `key` and `agentId` is that key's; never read from
	 *  the wire. Personal documents and author-only writes need it. */
	verified?: boolean;
}

export type SyncMessage =
	| { type: 'hello'; hello: Hello }
	| { type: 'inventory'; space: string; entries: [docId: string, digest: string][] }
	| { type: 'syncStep1'; docId: string; stateVector: Uint8Array }
	| { type: 'syncStep2'; docId: string; update: Uint8Array }
	| { type: 'update'; docId: string; update: Uint8Array }
	| { type: 'awareness'; payload: Uint8Array }
	/** Carets and selections of the agents who have one document open. */
	| { type: 'docAwareness'; docId: string; payload: Uint8Array }
	/** The sender's identity key signing this connection (identity.ts, proveHello). */
	| { type: 'proof'; signature: Uint8Array }
	/** Signed entries of guarded documents, forwarded unchanged by every peer that holds them. */
	| { type: 'signed'; entries: WireEntry[] }
	/** The hashes of every entry this side holds in the document's log (16 bytes each). */
	| { type: 'logHashes'; docId: string; hashes: Uint8Array[] }
	/** Entries of the document's log this side lacks: send them. */
	| { type: 'logWant'; docId: string; hashes: Uint8Array[] }
	/** Step 1 for many documents at once (a fresh device asks for thousands). */
	| { type: 'syncStep1Batch'; docs: [docId: string, stateVector: Uint8Array][] }
	/** Step 2 for many documents, at most maxBatchBytes in all; each is vetted on its own. */
	| { type: 'syncStep2Batch'; docs: [docId: string, update: Uint8Array][] };

export class ProtocolError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ProtocolError';
	}
}

export interface ProtocolLimits {
	/** Largest accepted message: one document's whole state (bodies stop at 16 Mi characters, see
	 *  schema/limits.ts; pasted images are data URLs of up to 1.5 MiB). */
	maxMessageBytes: number;
	/** Entries of one space's inventory: 200,000 documents is twenty times a large knowledge base. */
	maxInventoryEntries: number;
	maxIdLength: number;
	/** Time a peer has, once connected, to say hello and prove its key; then it is disconnected.
	 *  Signing and verifying take milliseconds; 10 s covers a busy tab. */
	handshakeMs: number;
	/** What is held for a peer before its handshake completes (messages sent right behind its hello
	 *  and proof: inventories, awareness): 4 MiB holds the inventories of 50,000 documents. Beyond
	 *  it, the peer is disconnected. */
	maxEarlyMessages: number;
	maxEarlyBytes: number;
	/** Signed entries in one message, and hashes in one log message (a log holds at most 4,096
	 *  entries, sync-log.ts). */
	maxEntriesPerMessage: number;
	maxLogHashes: number;
	/** Documents named in one batch (step 1 or step 2), and the bytes of one step 2 batch (a
	 *  document bigger than that travels alone, as a plain step 2). */
	maxBatchDocs: number;
	maxBatchBytes: number;
}

export const defaultProtocolLimits: ProtocolLimits = {
	maxMessageBytes: 32 * 1024 * 1024,
	maxInventoryEntries: 200_000,
	maxIdLength: 256,
	handshakeMs: 10_000,
	maxEarlyMessages: 1_000,
	maxEarlyBytes: 4 * 1024 * 1024,
	maxEntriesPerMessage: 1_024,
	maxLogHashes: 4_096,
	maxBatchDocs: 1_024,
	maxBatchBytes: 256 * 1024
};

/** A signature's largest size: raw P-256 is 64 bytes; DER at most 72. */
const MAX_SIGNATURE_BYTES = 72;
/** A key chain's largest size in bytes (identity.ts: the agent key and six endorsements). */
const MAX_CHAIN_BYTES = 65 + 6 * 129;

export function encodeMessage(m: SyncMessage): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, MessageType[m.type]);
	switch (m.type) {
		case 'hello':
			encoding.writeVarString(e, JSON.stringify(m.hello));
			break;
		case 'inventory':
			encoding.writeVarString(e, m.space);
			encoding.writeVarUint(e, m.entries.length);
			for (const [id, digest] of m.entries) {
				encoding.writeVarString(e, id);
				encoding.writeVarString(e, digest);
			}
			break;
		case 'syncStep1':
			encoding.writeVarString(e, m.docId);
			encoding.writeVarUint8Array(e, m.stateVector);
			break;
		case 'syncStep2':
		case 'update':
			encoding.writeVarString(e, m.docId);
			encoding.writeVarUint8Array(e, m.update);
			break;
		case 'awareness':
			encoding.writeVarUint8Array(e, m.payload);
			break;
		case 'docAwareness':
			encoding.writeVarString(e, m.docId);
			encoding.writeVarUint8Array(e, m.payload);
			break;
		case 'proof':
			encoding.writeVarUint8Array(e, m.signature);
			break;
		case 'signed':
			encoding.writeVarUint(e, m.entries.length);
			for (const entry of m.entries) {
				encoding.writeVarUint(e, entry.kind);
				encoding.writeVarString(e, entry.docId);
				encoding.writeVarUint8Array(e, entry.update);
				encoding.writeVarUint(e, entry.chain ? 0 : entry.chainRef!);
				if (entry.chain) encoding.writeVarUint8Array(e, entry.chain);
				encoding.writeVarUint8Array(e, entry.signature);
			}
			break;
		case 'logHashes':
		case 'logWant':
			encoding.writeVarString(e, m.docId);
			encoding.writeVarUint(e, m.hashes.length);
			for (const hash of m.hashes) encoding.writeUint8Array(e, hash);
			break;
		case 'syncStep1Batch':
		case 'syncStep2Batch':
			encoding.writeVarUint(e, m.docs.length);
			for (const [docId, bytes] of m.docs) {
				encoding.writeVarString(e, docId);
				encoding.writeVarUint8Array(e, bytes);
			}
			break;
	}
	return encoding.toUint8Array(e);
}

/** Decodes and validates one message; throws ProtocolError saying what is wrong. */
export function decodeMessage(
	bytes: Uint8Array,
	limits: ProtocolLimits = defaultProtocolLimits
): SyncMessage {
	if (!(bytes instanceof Uint8Array)) throw new ProtocolError('message is not binary');
	if (bytes.byteLength > limits.maxMessageBytes)
		throw new ProtocolError(
			`message of ${bytes.byteLength} bytes exceeds the ${limits.maxMessageBytes}-byte limit`
		);
	const d = decoding.createDecoder(bytes);
	const id = () => {
		const value = decoding.readVarString(d);
		if (value.length === 0 || value.length > limits.maxIdLength) throw new ProtocolError('bad id');
		return value;
	};
	try {
		const type = decoding.readVarUint(d);
		let m: SyncMessage;
		switch (type) {
			case MessageType.hello:
				m = { type: 'hello', hello: validateHello(JSON.parse(decoding.readVarString(d))) };
				break;
			case MessageType.inventory: {
				const space = id();
				const n = decoding.readVarUint(d);
				if (n > limits.maxInventoryEntries) throw new ProtocolError(`inventory of ${n} entries is too long`);
				const entries: [string, string][] = [];
				for (let i = 0; i < n; i++) entries.push([id(), decoding.readVarString(d)]);
				m = { type: 'inventory', space, entries };
				break;
			}
			case MessageType.syncStep1:
				m = { type: 'syncStep1', docId: id(), stateVector: decoding.readVarUint8Array(d) };
				break;
			case MessageType.syncStep2:
				m = { type: 'syncStep2', docId: id(), update: decoding.readVarUint8Array(d) };
				break;
			case MessageType.update:
				m = { type: 'update', docId: id(), update: decoding.readVarUint8Array(d) };
				break;
			case MessageType.awareness:
				m = { type: 'awareness', payload: decoding.readVarUint8Array(d) };
				break;
			case MessageType.docAwareness:
				m = { type: 'docAwareness', docId: id(), payload: decoding.readVarUint8Array(d) };
				break;
			case MessageType.proof: {
				const signature = decoding.readVarUint8Array(d);
				if (signature.length > 256) throw new ProtocolError('proof: signature too long');
				m = { type: 'proof', signature };
				break;
			}
			case MessageType.signed: {
				const n = decoding.readVarUint(d);
				if (n === 0 || n > limits.maxEntriesPerMessage)
					throw new ProtocolError(`signed: ${n} entries in one message`);
				const entries: WireEntry[] = [];
				for (let i = 0; i < n; i++) entries.push(readEntry(d, id));
				m = { type: 'signed', entries };
				break;
			}
			case MessageType.logHashes:
			case MessageType.logWant: {
				const docId = id();
				const n = decoding.readVarUint(d);
				if (n > limits.maxLogHashes) throw new ProtocolError(`log of ${n} hashes is too long`);
				const hashes: Uint8Array[] = [];
				for (let i = 0; i < n; i++) hashes.push(decoding.readUint8Array(d, ENTRY_HASH_BYTES).slice());
				m = { type: type === MessageType.logHashes ? 'logHashes' : 'logWant', docId, hashes };
				break;
			}
			case MessageType.syncStep1Batch:
			case MessageType.syncStep2Batch: {
				const step2 = type === MessageType.syncStep2Batch;
				const name = step2 ? 'syncStep2Batch' : 'syncStep1Batch';
				if (step2 && bytes.byteLength > limits.maxBatchBytes)
					throw new ProtocolError(
						`${name} of ${bytes.byteLength} bytes exceeds the ${limits.maxBatchBytes}-byte batch limit`
					);
				const n = decoding.readVarUint(d);
				if (n === 0 || n > limits.maxBatchDocs)
					throw new ProtocolError(`${name}: ${n} documents in one batch`);
				const docs: [string, Uint8Array][] = [];
				const seen = new Set<string>();
				for (let i = 0; i < n; i++) {
					const docId = id();
					if (seen.has(docId)) throw new ProtocolError(`${name}: ${docId} twice in one batch`);
					seen.add(docId);
					docs.push([docId, decoding.readVarUint8Array(d)]);
				}
				m = step2 ? { type: 'syncStep2Batch', docs } : { type: 'syncStep1Batch', docs };
				break;
			}
			default:
				throw new ProtocolError(`unknown message type ${type}`);
		}
		if (decoding.hasContent(d)) throw new ProtocolError('trailing bytes after the message');
		return m;
	} catch (err) {
		if (err instanceof ProtocolError) throw err;
		throw new ProtocolError(`malformed message (${err instanceof Error ? err.message : String(err)})`);
	}
}

function readEntry(d: decoding.Decoder, id: () => string): WireEntry {
	const kind = decoding.readVarUint(d);
	if (kind > 1) throw new ProtocolError(`signed: unknown entry kind ${kind}`);
	const docId = id();
	const update = decoding.readVarUint8Array(d);
	const ref = decoding.readVarUint(d);
	const entry: WireEntry = { kind, docId, update, signature: new Uint8Array() };
	if (ref === 0) {
		const chain = decoding.readVarUint8Array(d);
		if (chain.length < 65 || chain.length > MAX_CHAIN_BYTES) throw new ProtocolError('signed: bad key chain');
		entry.chain = chain;
	} else entry.chainRef = ref;
	entry.signature = decoding.readVarUint8Array(d);
	if (entry.signature.length === 0 || entry.signature.length > MAX_SIGNATURE_BYTES)
		throw new ProtocolError('signed: bad signature');
	return entry;
}

function validateHello(value: unknown): Hello {
	if (typeof value !== 'object' || value === null) throw new ProtocolError('hello is not an object');
	const h = value as Record<string, unknown>;
	if (h.protocol !== PROTOCOL_VERSION)
		throw new ProtocolError(`protocol ${String(h.protocol)} is not supported`);
	if (typeof h.agentId !== 'string' || !h.agentId || h.agentId.length > 128)
		throw new ProtocolError('hello: bad agentId');
	if (typeof h.floor !== 'string' || h.floor.length > 128) throw new ProtocolError('hello: bad floor');
	if (
		!Array.isArray(h.spaces) ||
		h.spaces.length > 1000 ||
		!h.spaces.every((s) => typeof s === 'string' && s.length <= 256)
	)
		throw new ProtocolError('hello: bad spaces');
	const hello: Hello = {
		protocol: PROTOCOL_VERSION,
		agentId: h.agentId,
		floor: h.floor,
		spaces: h.spaces as string[]
	};
	if (h.answer === true) hello.answer = true;
	if (h.role !== undefined) {
		if (h.role !== 'hub') throw new ProtocolError('hello: bad role');
		hello.role = 'hub';
	}
	// A later version than this side's is spoken at this side's (the lower of both).
	if (typeof h.batch === 'number' && Number.isInteger(h.batch) && h.batch >= BATCH_VERSION)
		hello.batch = BATCH_VERSION;
	if (h.key !== undefined) {
		if (typeof h.key !== 'string' || h.key.length > MAX_KEY_CHAIN_TEXT)
			throw new ProtocolError('hello: bad key');
		hello.key = h.key;
	}
	if (h.nonce !== undefined) {
		if (typeof h.nonce !== 'string' || h.nonce.length < 16 || h.nonce.length > 64)
			throw new ProtocolError('hello: bad nonce');
		hello.nonce = h.nonce;
	}
	return hello;
}
