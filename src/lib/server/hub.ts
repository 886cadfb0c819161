// The centre hub: the always-on member of a centre, so a new agent gets the knowledge base even when
// nobody else is online. It is a Plateau peer like a browser (Repo + Synchronizer, the same share
// policy and verification) running in Node: it holds every shared document of the centre on its
// disk (FsStorage) or in PostgreSQL, answers every peer's anti-entropy, and forwards live updates.
// It never holds a private note: its policy announces no agent's personal space, so no honest
// device sends it one, and it drops a note whose access record stops letting it read.
//
// Transports, as one CompositeNetwork (one Synchronizer serves them all): the centre's WebRTC mesh
// (through the signaling relay), the browsers' sealed WebSockets on the server's `/hub` path (the hub
// socket, for networks that block WebRTC), the other instances of the centre over the hub bus
// (BusNetwork: Redis pub/sub when scaled out), and any extra transport given. Several instances on one PostgreSQL and Redis: each holds its own browsers' connections,
// and being peers of each other they pass on what they receive and resync after a bus outage.
// Node only: never import it from browser code.
import { randomUUID } from 'node:crypto';
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import type { Server } from 'node:http';
import type { NetworkAdapter } from '../repo/network';
import { docId } from '../domain/ids';
import { deriveCentreKey } from '../net/crypto';
import { CompositeNetwork } from '../net/composite';
import { SignalingClient } from '../net/signaling-client';
import { meshTopic, WebRtcMesh } from '../net/webrtc';
import type { AgentIdentity } from '../repo/identity';
import { NoteAccessRegistry, removeUnreadableNotes } from '../repo/note-access';
import type { RateLimits } from '../repo/rate-limit';
import { Repo } from '../repo/repo';
import { CentreSharePolicy } from '../repo/share-policy';
import { Synchronizer } from '../repo/sync';
import { rolePublishRights, observeCentre, readAgents, readFloors } from '../schema/index';
import { PostgresStorage } from '../storage/postgres';
import { attachHubSocket } from './attach';
import { BusNetwork } from './bus-network';
import type { HubBus } from './hub-bus';
import { MemoryHubBus } from './hub-bus-memory';
import { RedisHubBus } from './hub-bus-redis';
import { fileHubIdentity, postgresHubIdentity } from './hub-identity';
import { createHubLog, type HubLog } from './hub-log';
import { createHubSocketServer, type HubSocketServerOptions } from './hub-socket-server';
import { agentsByFloor, type HubStatus } from './hub-status';
import { AckedStorage, openHubStorage } from './hub-storage';

export interface HubOptions {
	centreId: string;
	/** The centre secret, canonical form (parseInviteCode). Never logged. */
	secret: string;
	/** A room inside the centre's topic (trainings and tests keep apart this way). */
	room?: string;
	/** ws:// URL of the signaling relay; without it the hub joins no WebRTC mesh (bus and extra
	 *  networks only). */
	signalingUrl?: string;
	/** The hub's directory: documents on the file system (without a database) and its identity.
	 *  Default `./data/hub`. */
	dataDir?: string;
	/** PostgreSQL for the documents (and the identity), shared by the centre's instances. */
	databaseUrl?: string;
	databaseSchema?: string;
	/** A storage adapter of the caller's (tests); wins over the two above. */
	storage?: AckedStorage;
	/** The hub's agent; by default kept in PostgreSQL (with a database) or in the data directory. */
	identity?: AgentIdentity;
	/** The bus to the centre's other instances; REDIS_URL builds a Redis one. None: a single hub. */
	bus?: HubBus;
	redisUrl?: string;
	/** This instance's id (unique among the centre's instances); the bus's when one is given. */
	instanceId?: string;
	/** Extra transports. */
	networks?: NetworkAdapter[];
	/** The HTTP server whose `/hub` path takes the browsers' hub sockets (sealed WebSockets); none:
	 *  no hub socket. */
	httpServer?: Pick<Server, 'on'>;
	/** Hub socket settings (origins, client address, limits). */
	socket?: Omit<HubSocketServerOptions, 'key' | 'peerId'>;
	/** Bus timings (tests shorten them). */
	busTiming?: { heartbeatMs?: number; timeoutMs?: number; reconnectDelayMs?: number };
	log?: HubLog;
	iceServers?: RTCIceServer[];
	/** Each peer's budget of live messages; HUB_RATE by default. */
	rate?: Partial<RateLimits>;
	/** WebRTC links this instance accepts; HUB_MAX_LINKS by default. Browsers beyond it link to
	 *  each other (and another instance), or use the hub socket. */
	maxLinks?: number;
}

/** WebRTC links one hub instance holds at most: one per browser that picks it (measured with the
 *  scale benchmark: docs/decisions.md › "Scale"). */
export const HUB_MAX_LINKS = 300;

/** A peer's live-message budget at the hub: ten times a browser's, because another instance on the
 *  bus forwards what all of its browsers write, as one peer. (The budget is per Synchronizer, so a
 *  browser gets it too; a per-transport budget is a follow-up.) */
export const HUB_RATE: Partial<RateLimits> = {
	messagesPerSecond: 2_000,
	messageBurst: 20_000,
	bytesPerSecond: 32 * 1024 * 1024,
	byteBurst: 128 * 1024 * 1024,
	maxQueuedMessages: 50_000,
	maxQueuedBytes: 128 * 1024 * 1024
};

export interface Hub {
	readonly instanceId: string;
	readonly identity: AgentIdentity;
	readonly repo: Repo;
	readonly sync: Synchronizer;
	readonly network: CompositeNetwork;
	/** Where documents are kept; `onStored` tells each acknowledged write (acknowledged = stored). */
	readonly storage: AckedStorage;
	readonly bus: HubBus | undefined;
	readonly log: HubLog;
	/** The operator view's figures (hub-status.ts). */
	status(): Promise<HubStatus>;
	/** Leaves every network, waits for writes to reach storage, and releases everything. Idempotent. */
	destroy(): Promise<void>;
}

export async function createHub(options: HubOptions): Promise<Hub> {
	const started = Date.now();
	const dataDir = options.dataDir ?? 'data/hub';
	const bus =
		options.bus ??
		(options.redisUrl
			? new RedisHubBus({
					url: options.redisUrl,
					prefix: `plateau:${options.centreId}:${options.room ?? ''}:`,
					instanceId: options.instanceId
				})
			: undefined);
	const instanceId = bus?.instanceId ?? options.instanceId ?? `hub-${randomUUID()}`;
	const log = options.log ?? createHubLog({ base: { centre: options.centreId, instance: instanceId } });
	const storage =
		options.storage ??
		openHubStorage({
			centreId: options.centreId,
			dataDir,
			databaseUrl: options.databaseUrl,
			databaseSchema: options.databaseSchema
		});
	const identity =
		options.identity ??
		(options.databaseUrl
			? await postgresHubIdentity(options.databaseUrl, options.centreId, options.databaseSchema)
			: await fileHubIdentity(dataDir));

	const repo = new Repo({ storage });
	if (bus) {
		// Shared with other instances: everything stored now is opened and kept open; what they
		// store later comes over the bus (hub-storage.ts, restrictLoads).
		const held = await storage.list();
		storage.restrictLoads(held);
		for (let i = 0; i < held.length; i += 50)
			await Promise.all(held.slice(i, i + 50).map((id) => repo.open(id)));
	}
	const offRepoErrors = repo.onError((e) => log.error('storage.error', { error: e.message }));
	const offPgErrors =
		storage.inner instanceof PostgresStorage
			? storage.inner.onError((e) => log.warn('storage.connection', { error: e.message }))
			: () => {};
	const notes = new NoteAccessRegistry(repo);
	await notes.load();
	// A hub keeps every note its author shared, whatever the floor, and drops one made private.
	const janitor = removeUnreadableNotes(
		repo,
		notes,
		() => ({ id: identity.agentId, floor: '' }),
		(record) => record.visibility !== 'private'
	);
	await janitor.ready;

	const network = new CompositeNetwork(instanceId);
	const key = await deriveCentreKey(options.secret, options.centreId);
	let detachSocket = () => {};
	if (options.httpServer) {
		const socket = createHubSocketServer({
			...options.socket,
			key,
			peerId: instanceId,
			log: (m) => log.warn('socket', { detail: m })
		});
		network.add(socket);
		detachSocket = attachHubSocket(options.httpServer, socket);
	}
	let signaling: SignalingClient | undefined;
	if (options.signalingUrl) {
		signaling = new SignalingClient({
			url: options.signalingUrl,
			key,
			WebSocketImpl: WebSocket,
			peerId: instanceId
		});
		let decryptErrors = 0;
		signaling.on('decrypt-error', (topic) => {
			if (decryptErrors++ === 0) log.warn('signaling.foreign-secret', { topic });
		});
		// The hub seeks no link of its own (target 1) and accepts every browser that picks it, up to
		// `maxLinks`; it answers every announce as a hub, so each joiner can pick one hub link.
		network.add(
			new WebRtcMesh({
				signaling,
				topic: meshTopic(options.centreId, options.room),
				links: { target: 1, max: options.maxLinks ?? HUB_MAX_LINKS },
				profile: { floor: '', agentId: identity.agentId, hub: true },
				iceServers: options.iceServers ?? [],
				RTCPeerConnectionImpl: wrtc.RTCPeerConnection,
				log: (m) => log.warn('webrtc', { detail: m })
			})
		);
	}
	const busNetwork = bus
		? new BusNetwork({
				bus,
				centreId: options.centreId,
				secret: options.secret,
				...options.busTiming,
				log: (m) => log.warn('bus.link', { detail: m })
			})
		: undefined;
	if (busNetwork) network.add(busNetwork);
	for (const extra of options.networks ?? []) network.add(extra);
	const offBusErrors = bus?.onError((e) => log.warn('bus.error', { error: e.message })) ?? (() => {});
	const offResync = bus?.onResync(() => log.info('bus.resync')) ?? (() => {});

	// The one place the hub's policy is built: the hub role, every floor of the centre document
	// (its spaces grow as floors are added), signers' floors from its directory.
	const centreDoc = await repo.open(docId('centre', options.centreId));
	const policy = new CentreSharePolicy(identity.agentId, {
		notes,
		hub: true,
		floors: () => readFloors(centreDoc).map((f) => f.id),
		floorOf: (agent) => readAgents(centreDoc).find((a) => a.id === agent)?.floor,
		publishRights: rolePublishRights(() => centreDoc)
	});
	const sync = new Synchronizer({
		repo,
		network,
		policy,
		agentId: identity.agentId,
		floor: '',
		identity,
		role: 'hub',
		rate: options.rate ?? HUB_RATE
	});
	const offFloors = observeCentre(centreDoc, () => sync.refreshSpaces());
	const isInstance = (peer: string) => busNetwork !== undefined && network.transportOf(peer) === busNetwork;
	const offs = [
		sync.onRejected((r) => log.warn('sync.rejected', { peer: r.from, reason: r.reason })),
		network.on('peer-connected', (peer) =>
			log.info('peer.connected', { peer, via: isInstance(peer) ? 'bus' : 'network' })
		),
		network.on('peer-disconnected', (peer) => log.info('peer.disconnected', { peer }))
	];
	await busNetwork?.ready;
	log.info('hub.started', {
		agent: identity.agentId,
		storage: storage.inner instanceof PostgresStorage ? 'postgres' : 'fs',
		bus: bus ? (bus instanceof RedisHubBus ? 'redis' : 'memory') : 'none',
		room: options.room ?? ''
	});

	const status = async (): Promise<HubStatus> => {
		const instances = new Set(busNetwork?.peers() ?? []);
		const { agents, unproven } = agentsByFloor(sync.peers(), instances);
		const size = await storage.size();
		return {
			centre: options.centreId,
			instance: instanceId,
			agentId: identity.agentId,
			uptimeSeconds: Math.round((Date.now() - started) / 1000),
			agents,
			peers: { total: network.peers().length, instances: instances.size, unproven },
			documents: (await repo.list()).length,
			storage: {
				kind: storage.inner instanceof PostgresStorage ? 'postgres' : 'fs',
				...size,
				...storage.counts
			},
			bus: {
				kind: !bus
					? 'none'
					: bus instanceof RedisHubBus
						? 'redis'
						: bus instanceof MemoryHubBus
							? 'memory'
							: 'none',
				connected: !bus ? false : bus instanceof RedisHubBus ? bus.connected : true,
				instances: [...instances]
			},
			rejectedMessages: sync.rejected.length,
			recentErrors: log.recent()
		};
	};

	let destroying: Promise<void> | undefined;
	const destroy = () =>
		(destroying ??= (async () => {
			for (const off of offs) off();
			offFloors();
			detachSocket();
			sync.destroy();
			await network.destroy();
			signaling?.destroy();
			offBusErrors();
			offResync();
			// A bus given by the caller is theirs to close.
			if (!options.bus) await bus?.destroy();
			await sync.idle();
			janitor.stop();
			notes.destroy();
			offRepoErrors();
			offPgErrors();
			await repo.destroy();
			log.info('hub.stopped');
		})());

	return { instanceId, identity, repo, sync, network, storage, bus, log, status, destroy };
}
