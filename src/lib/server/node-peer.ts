// A Plateau peer running in Node: the same Repo, Synchronizer and WebRTC mesh as a browser, with
// documents on the file system (FsStorage), `ws` for the signaling WebSocket and `@roamhq/wrtc` for
// RTCPeerConnection. It joins a centre's mesh like any agent's browser and will become the
// always-on archive peer. Node only: never import it from browser code.
//
// Several peers may run in one process (tests do): nothing here is module-level state. Do not run
// it in a worker thread: `@roamhq/wrtc` crashes there.
import wrtc from '@roamhq/wrtc';
import type { Awareness } from 'y-protocols/awareness';
import WebSocket from 'ws';
import { deriveCentreKey } from '../net/crypto';
import { SignalingClient, type SignalingClientOptions } from '../net/signaling-client';
import { meshTopic, WebRtcMesh, type LinkBounds, type MeshProfile, type WebRtcOptions } from '../net/webrtc';
import { generateIdentity, type AgentIdentity } from '../repo/identity';
import { Repo } from '../repo/repo';
import { CentreSharePolicy } from '../repo/share-policy';
import { Synchronizer } from '../repo/sync';
import { FsStorage } from '../storage/fs';

export { meshTopic };

export interface NodePeerOptions {
	/** Directory of this peer's documents (created on the first write). One peer per directory. */
	dir: string;
	/** ws:// or wss:// URL of a y-webrtc-protocol signaling server (Plateau's relay or the stock one). */
	signalingUrl: string;
	centreId: string;
	/** A room inside the centre's topic (tests and e2e workers keep apart this way); none in use. */
	room?: string;
	/** The centre secret (canonical form, as parseInviteCode returns it). */
	secret: string;
	/** The agent this peer acts for, proven to peers by its key (its personal space is shared only
	 *  with that agent's devices). A new identity when none is given: a peer without one would be
	 *  unproven, and its writes refused by every other peer. */
	identity?: AgentIdentity;
	floor: string;
	/** Diagnostics: WebRTC link problems, rejected sync messages, storage errors, foreign-key
	 *  signaling. Default: console.warn. */
	log?: (message: string) => void;
	/** ICE servers; none by default (peers on one network need none, and nothing is reached outside). */
	iceServers?: RTCIceServer[];
	/** Presence to share with the centre (who is online); none by default. */
	awareness?: Awareness;
	/** Links this peer looks for and accepts at most (the mesh's defaults otherwise). */
	links?: Partial<LinkBounds>;
	/** Overrides of what its announces say; by default its floor and agent. `hub: true` for an
	 *  always-on peer, which answers every announce. */
	profile?: Partial<MeshProfile>;
	/** Extra mesh options (timeouts, gather window, randomness). */
	mesh?: Partial<
		Pick<WebRtcOptions, 'connectTimeoutMs' | 'gatherMs' | 'lookAgainMs' | 'refuse' | 'random' | 'lobbyLevels'>
	>;
	/** Extra signaling client options (timeouts, backoff, peer id). */
	signaling?: Omit<SignalingClientOptions, 'url' | 'key' | 'WebSocketImpl'>;
}

export interface NodePeer {
	readonly identity: AgentIdentity;
	readonly repo: Repo;
	readonly sync: Synchronizer;
	readonly mesh: WebRtcMesh;
	readonly signaling: SignalingClient;
	/** Leaves the mesh, closes signaling, waits for writes to reach the disk and releases
	 *  everything, so the process can exit. Idempotent. */
	destroy(): Promise<void>;
}

export async function createNodePeer(options: NodePeerOptions): Promise<NodePeer> {
	const log = options.log ?? ((m: string) => console.warn(`Plateau node peer: ${m}`));
	const key = await deriveCentreKey(options.secret, options.centreId);
	const identity = options.identity ?? (await generateIdentity());
	const repo = new Repo({ storage: new FsStorage(options.dir) });
	const signaling = new SignalingClient({
		...options.signaling,
		url: options.signalingUrl,
		key,
		WebSocketImpl: WebSocket
	});
	let decryptErrors = 0;
	const offDecrypt = signaling.on('decrypt-error', (topic, error) => {
		// Said once: every announce of a peer with another secret fails the same way.
		if (decryptErrors++ === 0)
			log(
				`a message on ${topic} could not be decrypted (${error.reason}): a peer uses another centre secret`
			);
	});
	const mesh = new WebRtcMesh({
		signaling,
		topic: meshTopic(options.centreId, options.room),
		iceServers: options.iceServers ?? [],
		RTCPeerConnectionImpl: wrtc.RTCPeerConnection,
		links: options.links,
		profile: { floor: options.floor, agentId: identity.agentId, ...options.profile },
		...options.mesh,
		log
	});
	const sync = new Synchronizer({
		repo,
		network: mesh,
		policy: new CentreSharePolicy(identity.agentId),
		agentId: identity.agentId,
		floor: options.floor,
		identity,
		awareness: options.awareness
	});
	const offRejected = sync.onRejected((r) => log(`rejected a message from ${r.from}: ${r.reason}`));
	const offRepoErrors = repo.onError((e) => log(`storage: ${e.message}`));

	let destroying: Promise<void> | undefined;
	const destroy = () =>
		(destroying ??= (async () => {
			// Stop syncing first so nothing new is sent or applied, then leave the mesh (closes every
			// RTCPeerConnection), then signaling (its socket is terminated, not left closing), then let
			// the messages already being applied finish and the repo flush them to disk.
			offRejected();
			sync.destroy();
			await mesh.destroy();
			offDecrypt();
			signaling.destroy();
			await sync.idle();
			offRepoErrors();
			await repo.destroy();
		})());

	return { identity, repo, sync, mesh, signaling, destroy };
}
