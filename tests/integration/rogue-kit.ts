// Tools for tests that play a misbehaving peer over the memory network: a raw adapter that speaks
// the wire protocol by hand (it can prove a key like an honest device, then send whatever it likes),
// and a settle() that waits until every peer has handled everything in flight.
import { vi } from 'vitest';
import { toBase64 } from '../../src/lib/domain/base64';
import type { MemoryHub, MemoryNetworkAdapter } from '../../src/lib/net/memory';
import { newNonce, proveHello, type AgentIdentity } from '../../src/lib/repo/identity';
import { Repo } from '../../src/lib/repo/repo';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import type { StorageAdapter } from '../../src/lib/repo/storage';
import { MemoryStorage } from '../../src/lib/storage/memory';
import {
	BATCH_VERSION,
	decodeMessage,
	encodeMessage,
	PROTOCOL_VERSION,
	type Hello,
	type ProtocolLimits,
	type SyncMessage
} from '../../src/lib/repo/sync-protocol';

export interface RoguePeer {
	net: MemoryNetworkAdapter;
	hello: Hello;
	/** Every message received, decoded, per sender. */
	received: Map<string, SyncMessage[]>;
	send(to: string, m: SyncMessage): void;
	/** Sends its hello to `to` (the answer brings the victim's nonce, then the proof follows). */
	greet(to: string): void;
}

/** A raw peer: answers hellos and, with an identity, proves it on each connection like an honest
 *  device (without one, or with `prove: false`, it stays unproven). */
export function roguePeer(
	hub: MemoryHub,
	id: string,
	options: {
		identity?: AgentIdentity;
		agentId?: string;
		prove?: boolean;
		spaces?: string[];
		/** Announces batched anti-entropy (sync-protocol.ts, BATCH_VERSION). */
		batch?: boolean;
	} = {}
): RoguePeer {
	const net = hub.join(id);
	const nonce = newNonce();
	const hello: Hello = {
		protocol: PROTOCOL_VERSION,
		agentId: options.identity?.agentId ?? options.agentId ?? id,
		floor: 'bourse',
		spaces: options.spaces ?? ['kb', 'centre'],
		nonce
	};
	if (options.identity) hello.key = toBase64(options.identity.publicKey);
	if (options.batch) hello.batch = BATCH_VERSION;
	const received = new Map<string, SyncMessage[]>();
	const proved = new Set<string>();
	const send = (to: string, m: SyncMessage) => net.send(to, encodeMessage(m));
	net.on('message', (from, bytes) => {
		const m = decodeMessage(bytes);
		let list = received.get(from);
		if (!list) received.set(from, (list = []));
		list.push(m);
		if (m.type !== 'hello') return;
		if (!m.hello.answer) send(from, { type: 'hello', hello: { ...hello, answer: true } });
		const binding = net.channelBinding(from);
		const key = `${from} ${m.hello.nonce}`;
		if (!options.identity || options.prove === false || proved.has(key) || !m.hello.nonce || !binding) return;
		proved.add(key);
		void proveHello(options.identity, {
			binding,
			signerNonce: nonce,
			verifierNonce: m.hello.nonce,
			signer: id,
			verifier: from
		}).then((signature) => send(from, { type: 'proof', signature }));
	});
	return {
		net,
		hello,
		received,
		send,
		greet: (to) => send(to, { type: 'hello', hello })
	};
}

/** Waits until the victim has introduced `peer` (proven or not, as `verified` says). */
export async function introduced(sync: Synchronizer, peer: string, verified: boolean): Promise<void> {
	await vi.waitFor(() => {
		const hello = sync.peers().get(peer);
		if (!hello || !!hello.verified !== verified) throw new Error(`${peer} not introduced yet`);
	});
}

/** Waits until nothing is in flight: every synchronizer idle and every repo flushed, twice in a row
 *  with no work started in between (handling a message may send more). */
export async function settle(...ps: { sync: Synchronizer; repo: Repo }[]): Promise<void> {
	for (let quiet = 0; quiet < 2;) {
		await Promise.all(ps.map((p) => p.sync.idle()));
		await Promise.all(ps.map((p) => p.repo.flush()));
		// Let continuations just scheduled (storage reads, writes) start their work, then look.
		await new Promise<void>((r) => setImmediate(r));
		quiet = ps.some((p) => p.sync.busy) ? 0 : quiet + 1;
	}
}

/** An honest device of the centre on floor Bourse, proving `identity`, with the reasons of every
 *  message it refused. */
export interface ProvenPeer {
	repo: Repo;
	net: MemoryNetworkAdapter;
	sync: Synchronizer;
	rejected: string[];
}

export function provenPeer(
	hub: MemoryHub,
	id: string,
	identity: AgentIdentity,
	storage: StorageAdapter = new MemoryStorage(),
	limits?: Partial<ProtocolLimits>
): ProvenPeer {
	const repo = new Repo({ storage });
	const net = hub.join(id);
	const sync = new Synchronizer({
		repo,
		network: net,
		policy: new CentreSharePolicy(identity.agentId),
		agentId: identity.agentId,
		floor: 'bourse',
		identity,
		limits
	});
	const rejected: string[] = [];
	sync.onRejected((r) => rejected.push(r.reason));
	return { repo, net, sync, rejected };
}
