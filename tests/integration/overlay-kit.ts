// Tools for tests of a bounded overlay over the memory network: devices linked only to the peers a
// test names (the memory hub links everyone on join; these links are cut before any message), with
// the centre's note access registry and a directory of agents' floors, like the app. A hub device
// holds every floor's shared notes.
import * as Y from 'yjs';
import type { NoteAccess, NoteMeta } from '../../src/lib/domain/note';
import { newNoteId } from '../../src/lib/domain/note';
import type { MemoryHub, MemoryNetworkAdapter } from '../../src/lib/net/memory';
import type { AgentIdentity } from '../../src/lib/repo/identity';
import { NoteAccessRegistry, removeUnreadableNotes } from '../../src/lib/repo/note-access';
import { Repo } from '../../src/lib/repo/repo';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import { Synchronizer } from '../../src/lib/repo/sync';
import type { LogLimits } from '../../src/lib/repo/sync-log';
import { signEntry } from '../../src/lib/repo/sync-signed-entry';
import type { SyncMessage } from '../../src/lib/repo/sync-protocol';
import { initNote, noteAccessDocId, putNoteAccess, updateNoteMeta } from '../../src/lib/schema/index';
import { MemoryStorage } from '../../src/lib/storage/memory';

export interface Device {
	id: string;
	identity: AgentIdentity;
	floor: string;
	repo: Repo;
	storage: MemoryStorage;
	net: MemoryNetworkAdapter;
	sync: Synchronizer;
	rejected: string[];
	stop(): Promise<void>;
}

export interface DeviceOptions {
	/** The only peers this device is linked to (others it meets later with hub.link). */
	links: string[];
	floor?: string;
	/** The centre's hub: every floor, no personal space, hello role `hub`. */
	hub?: boolean;
	/** Agents' floors, as the centre directory says. */
	directory?: Map<string, string>;
	logLimits?: Partial<LogLimits>;
	storage?: MemoryStorage;
	seed?: (docId: string) => Promise<Uint8Array | undefined>;
}

export const FLOORS = ['bourse', 'support', 'gestion'];

export async function device(
	hub: MemoryHub,
	id: string,
	identity: AgentIdentity,
	options: DeviceOptions
): Promise<Device> {
	const storage = options.storage ?? new MemoryStorage();
	const repo = new Repo({ storage });
	const d = { id, identity, floor: options.floor ?? 'bourse' } as Device;
	const registry = new NoteAccessRegistry(repo);
	await registry.load();
	const janitor = options.hub
		? undefined
		: removeUnreadableNotes(repo, registry, () => ({ id: identity.agentId, floor: d.floor }));
	const directory = options.directory ?? new Map<string, string>();
	const policy = new CentreSharePolicy(identity.agentId, {
		floor: () => d.floor,
		notes: registry,
		floorOf: (agent) => directory.get(agent),
		hub: options.hub,
		floors: () => FLOORS
	});
	const net = hub.join(id);
	for (const other of net.peers()) if (!options.links.includes(other)) hub.unlink(id, other);
	const sync = new Synchronizer({
		repo,
		network: net,
		policy,
		agentId: identity.agentId,
		floor: options.hub ? '' : d.floor,
		identity,
		role: options.hub ? 'hub' : undefined,
		logLimits: options.logLimits,
		seed: options.seed
	});
	const rejected: string[] = [];
	sync.onRejected((r) => rejected.push(r.reason));
	Object.assign(d, {
		repo,
		storage,
		net,
		sync,
		rejected,
		stop: async () => {
			janitor?.stop();
			registry.destroy();
			sync.destroy();
			await net.destroy();
			await repo.destroy();
		}
	});
	return d;
}

export function meta(author: string, title: string, access: Partial<NoteAccess> = {}): NoteMeta {
	return {
		author,
		authorName: 'Alice',
		title,
		visibility: 'private',
		floor: 'bourse',
		colleaguesMayEdit: false,
		createdAt: 1,
		updatedAt: 1,
		...access
	};
}

/** Creates a note on `d`; returns its document id. */
export async function writeNote(d: Device, title: string, text: string): Promise<string> {
	const id = `note/${newNoteId(d.identity.agentId)}`;
	initNote(await d.repo.open(id), meta(d.identity.agentId, title), [
		{ type: 'paragraph', content: [{ type: 'text', text }] }
	]);
	return id;
}

/** Shares (or withdraws) a note as the UI does: the access record first, then the note's meta. */
export async function share(d: Device, noteId: string, access: Omit<NoteAccess, 'author'>): Promise<void> {
	const author = d.identity.agentId;
	putNoteAccess(await d.repo.open(noteAccessDocId(author)), noteId, { author, ...access });
	updateNoteMeta(await d.repo.open(noteId), access);
}

/** An update making `change` to a copy of `doc`: what a peer holding the document would send. */
export function crafted(doc: Y.Doc, change: (copy: Y.Doc) => void): Uint8Array {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	const before = Y.encodeStateVector(copy);
	change(copy);
	return Y.encodeStateAsUpdate(copy, before);
}

/** A `signed` message carrying one entry signed by `identity` (a rogue signs with its own key). */
export async function signedMessage(
	identity: AgentIdentity,
	docId: string,
	update: Uint8Array,
	kind = 0
): Promise<SyncMessage> {
	const e = await signEntry(identity, kind, docId, update);
	return {
		type: 'signed',
		entries: [{ kind, docId, update, chain: e.chain, signature: e.signature }]
	};
}
