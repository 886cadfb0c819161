import { getContext, setContext } from 'svelte';
import { Disposer } from '../domain/emitter';
import { docId, KB_SPACE } from '../domain/ids';
import { interimPublishRights, readAgents } from '../schema/index';
import type { PublishRights } from '../domain/revision';
import { Repo, type RepoError } from '../repo/repo';
import { CatalogKeeper } from '../repo/catalog-keeper';
import type { StorageAdapter } from '../repo/storage';
import { applySeed, loadDemoSeed, type SeedFile } from '../seed/seed';
import { I18n } from './i18n.svelte';
import { KnowledgeBase } from './knowledge-base.svelte';
import { Session } from './session.svelte';
import {
	DEMO_CENTRE,
	DEMO_SECRET,
	joinWithInviteCode,
	readCredentials,
	type CentreCredentials
} from './centre-credentials';
import { SyncSession, type Connection, type MeshPeerProfile } from './sync-session.svelte';
import { Toasts } from './toasts.svelte';
import { SearchState } from './search.svelte';
import type { SearchStore } from '../search/persistence';
import type { GapStore } from '../search/gap-log';
import { InviteCodeError, PairingError, parseInviteCode } from '../domain/codes';
import type { AgentIdentity } from '../repo/identity';
import { DEVICE_KEYS, MemoryDeviceStore, type DeviceStore } from '../repo/device-store';
import { NoteAccessRegistry, removeUnreadableNotes } from '../repo/note-access';
import { identityRecords, keylessAgentId, loadIdentity } from './identity-store';
import { migrateLocalStorage } from './device-migration';
import { PairingOffer, requestPairing } from './pairing.svelte';
import { Notes } from './notes.svelte';

export { DEMO_CENTRE };

/** What the app needs from its host: storage per centre (IndexedDB in the browser) and, optionally,
 *  a connection to the centre's peers. */
export interface AppEnvironment {
	openStorage(centreId: string): StorageAdapter;
	deleteStorage(centreId: string): Promise<void>;
	loadSeed?: () => Promise<SeedFile>;
	/** Where the centre (secret sealed), identity and profile are kept, durably (IndexedDB in the
	 *  browser; memory if absent). */
	device?: DeviceStore;
	/** Non-secret preferences (UI language, meeting room); also read once to move what older
	 *  versions kept there into `device`. */
	storage?: Storage;
	connect?: (credentials: CentreCredentials, profile?: MeshPeerProfile) => Promise<Connection>;
	/** Where the search index and the no-result log are kept (memory if absent). */
	openSearchStore?: (storeName: string) => SearchStore & GapStore;
}

/** The running app: one centre's repo, the agent's session and the knowledge base. */
export class App {
	status = $state<'starting' | 'seeding' | 'ready' | 'failed'>('starting');
	progress = $state({ done: 0, total: 0 });
	failure = $state('');
	problems = $state.raw<RepoError[]>([]);
	online = $state(globalThis.navigator?.onLine ?? true);
	/** When the demo was last reset on this page, so Settings can confirm it after the restart. */
	lastResetAt = $state<number | null>(null);
	/** Why this device cannot reach its peers, when it cannot even try (e.g. no WebCrypto). */
	syncFailure = $state('');

	readonly i18n: I18n;
	readonly toasts = new Toasts();
	/** The centre this device works in: read from the device store by start(); until then, the
	 *  demo centre's. */
	credentials = $state.raw<CentreCredentials>({ centreId: DEMO_CENTRE, secret: DEMO_SECRET, seed: true });
	repo: Repo | undefined = $state.raw();
	session: Session | undefined = $state.raw();
	kb: KnowledgeBase | undefined = $state.raw();
	sync: SyncSession | undefined = $state.raw();
	search: SearchState | undefined = $state.raw();
	notes: Notes | undefined = $state.raw();
	/** Who may read and write each shared note (its authors' access records). */
	noteAccess: NoteAccessRegistry | undefined;
	/** This device's agent key pair; undefined only where WebCrypto is missing. */
	identity: AgentIdentity | undefined;
	/** Who may publish an article of a topic: the Publish button, and every publication received
	 *  (interim rule until signed roles: schema/publish-rights.ts). */
	readonly publishRights: PublishRights = interimPublishRights(() =>
		this.repo?.opened(docId('centre', this.centreId))
	);
	/** This device's invite code is probably wrong: it reaches nobody, hears only messages it cannot
	 *  read, and has no centre content yet (a device holding the centre is not the one to blame). */
	readonly wrongSecret = $derived(!!this.sync?.foreignSecret && (this.kb?.floors.length ?? 0) === 0);

	readonly #env: AppEnvironment;
	readonly #device: DeviceStore;
	/** An invite code this page was opened with, joined when start() runs. */
	#inviteCode: string | undefined;
	/** What lives as long as the page (window listeners). */
	readonly #page = new Disposer();
	/** What start() built for the centre (catalog keeper, notes, lists, listeners on the repo);
	 *  undone by #stopCentre(), the one teardown that reset and destroy share. */
	#centre = new Disposer();
	/** What the connection to the centre's peers set up; undone by #stopSyncing(). */
	#syncing = new Disposer();
	#connection: Connection | undefined;
	/** The connection being made: the UI is usable before it is (see start()). */
	#syncStarting: Promise<void> | undefined;

	/** Why an invite link this page was opened with was refused (an InviteCodeError reason). */
	inviteError = $state<string | null>(null);

	/** `inviteCode`: from an invite link (/join#plateau:…). Joining before anything else runs means a
	 *  new device starts empty and is filled by its peers. */
	constructor(env: AppEnvironment, inviteCode?: string) {
		this.#env = env;
		this.#device = env.device ?? new MemoryDeviceStore();
		if (inviteCode !== undefined) {
			try {
				parseInviteCode(inviteCode);
				this.#inviteCode = inviteCode;
			} catch (err) {
				this.inviteError = err instanceof InviteCodeError ? err.reason : 'parts';
			}
		}
		this.i18n = new I18n(env.storage);
		if (typeof window !== 'undefined') {
			const on = () => {
				this.online = true;
				this.sync?.setOnline(true);
			};
			const off = () => {
				this.online = false;
				this.sync?.setOnline(false);
			};
			window.addEventListener('online', on);
			window.addEventListener('offline', off);
			this.#page.add(() => {
				window.removeEventListener('online', on);
				window.removeEventListener('offline', off);
			});
		}
	}

	/** Opens the store, seeds the demo centre on its first start, and loads the knowledge base. */
	async start(): Promise<void> {
		try {
			const device = this.#device;
			await migrateLocalStorage(this.#env.storage, device);
			if (this.#inviteCode !== undefined) {
				await joinWithInviteCode(device, this.#inviteCode);
				this.#inviteCode = undefined;
			}
			this.credentials = await readCredentials(device, this.#env.storage);
			const repo = new Repo({ storage: this.#env.openStorage(this.storeName) });
			this.#centre.add(repo.onError((e) => (this.problems = [...this.problems, e])));
			const keeper = new CatalogKeeper(repo);
			this.#centre.add(() => keeper.destroy());
			this.repo = repo;
			const centreDocId = docId('centre', this.centreId);
			if (this.credentials.seed && this.centreId === DEMO_CENTRE && !(await repo.find(centreDocId)))
				await this.#seed(repo);
			const [space, centre] = await Promise.all([
				repo.open(docId('space', KB_SPACE)),
				repo.open(centreDocId)
			]);
			const centreId = this.centreId;
			// Without WebCrypto (plain http on a LAN address) the device has no key: it keeps a
			// self-chosen id and is an unproven peer.
			const loaded = await loadIdentity(device, centreId).catch(() => undefined);
			this.identity = loaded?.identity;
			const session = new Session(centre, {
				agentId: loaded?.identity.agentId ?? (await keylessAgentId(device, centreId)),
				formerId: loaded?.formerId,
				saved: await device.get(DEVICE_KEYS.profile(centreId)),
				persist: (profile) => device.write({ [DEVICE_KEYS.profile(centreId)]: profile ?? undefined })
			});
			this.session = session;
			this.kb = new KnowledgeBase(space, centre);
			await this.#startNotes(repo, session);
			this.search = new SearchState({
				repo,
				centreDocId,
				locale: () => this.i18n.locale,
				viewer: () => ({ id: session.agentId, floor: session.profile?.floor ?? '' }),
				onViewerChange: (listener) => session.onChange(listener),
				store: this.#env.openSearchStore?.(this.storeName)
			});
			void this.search.start(); // restores or rebuilds in the background, with progress
			this.status = 'ready';
		} catch (err) {
			this.failure = err instanceof Error ? err.message : String(err);
			this.status = 'failed';
			return;
		}
		this.#syncStarting = this.#startSync();
		await this.#syncStarting;
	}

	get centreId(): string {
		return this.credentials.centreId;
	}

	/** The local store: a joined centre gets its own, apart from the locally seeded demo, so it
	 *  starts empty and holds exactly what its peers share. */
	get storeName(): string {
		return this.credentials.seed ? this.centreId : `joined-${this.centreId}`;
	}

	/** Switches this device to the centre of an invite code (rejects with InviteCodeError for a
	 *  wrong code); resolves once that is durably stored, and the page must then reload. */
	join(code: string): Promise<CentreCredentials> {
		return joinWithInviteCode(this.#device, code);
	}

	/** Notes: access records, removal of withdrawn notes, and the lists. */
	async #startNotes(repo: Repo, session: Session): Promise<void> {
		const me = () => ({
			id: session.agentId,
			floor: session.profile?.floor ?? '',
			name: session.profile?.name ?? ''
		});
		const access = new NoteAccessRegistry(repo);
		await access.load();
		const janitor = removeUnreadableNotes(repo, access, me);
		await janitor.ready;
		const notes = new Notes(repo, me);
		await notes.load();
		this.noteAccess = access;
		this.notes = notes;
		this.#centre.add(
			() => janitor.stop(),
			() => access.destroy(),
			() => notes.destroy()
		);
	}

	async #startSync(): Promise<void> {
		if (!this.#env.connect || !this.repo || !this.session) return;
		try {
			const session = this.session;
			const connection = await this.#env.connect(this.credentials, {
				floor: session.profile?.floor ?? '',
				agentId: session.agentId
			});
			this.#connection = connection;
			const centreDoc = this.repo.opened(docId('centre', this.centreId));
			const seeded = this.credentials.seed && this.centreId === DEMO_CENTRE;
			const sync = new SyncSession(this.repo, connection, session.agentId, session.profile?.floor ?? '', {
				identity: this.identity,
				notes: this.noteAccess,
				// A signer's floor, from the centre directory (floor-shared notes colleagues may edit).
				floorOf: (agent) =>
					centreDoc ? readAgents(centreDoc).find((a) => a.id === agent)?.floor : undefined,
				// The demo seed a device seeded before signed entries vouches for (sync-signed.ts).
				seed: seeded ? (id) => this.#seedUpdate(id) : undefined,
				publishRights: this.publishRights
			});
			sync.setOnline(this.online);
			sync.setPresence(session.profile);
			this.#syncing.add(
				session.onChange((p) => {
					sync.setPresence(p);
					sync.setFloor(p?.floor ?? '');
					connection.setProfile?.({ floor: p?.floor ?? '', agentId: session.agentId });
				})
			);
			this.sync = sync;
		} catch (err) {
			this.syncFailure = err instanceof Error ? err.message : String(err);
		}
	}

	async #stopSyncing(): Promise<void> {
		this.#syncing.dispose();
		this.#syncing = new Disposer();
		this.sync?.destroy();
		this.sync = undefined;
		const connection = this.#connection;
		this.#connection = undefined;
		await connection?.network.destroy();
		connection?.signaling.destroy();
	}

	/** Erases this device's copy of the demo centre and installs it again. The profile is kept. */
	async resetDemo(): Promise<void> {
		const profile = this.session?.profile;
		await this.#stopCentre();
		this.kb = this.search = this.notes = this.repo = undefined;
		this.problems = [];
		this.status = 'starting';
		await this.#env.deleteStorage(this.storeName);
		await this.start();
		if (profile && this.session) await this.session.save(profile);
		this.lastResetAt = Date.now();
	}

	/** Shows a one-time code another device of this agent can pair with (throws PairingError when
	 *  this device is not connected to its centre). The caller destroys the offer. */
	offerPairing(): PairingOffer {
		const open = this.#connection?.pairing;
		if (!open || !this.identity || !this.session)
			throw new PairingError('offline', 'Not connected to the centre.');
		const session = this.session;
		return new PairingOffer(open(), this.identity, () => session.profile, this.centreId);
	}

	/** Pairs this device with another of the same agent by the code it shows: this device gets its
	 *  own key endorsed by that agent's and takes their profile (throws PairingError). Resolves once
	 *  both are durably stored; the page must then reload. */
	async pairWithCode(code: string): Promise<void> {
		// A code typed right after the page loaded waits for the connection rather than failing.
		await this.#syncStarting;
		const open = this.#connection?.pairing;
		if (!open) throw new PairingError('offline', 'Not connected to the centre.');
		const payload = await requestPairing(open(), code, this.centreId);
		await this.#device.write({
			...identityRecords(this.centreId, payload.identity),
			...(payload.profile ? { [DEVICE_KEYS.profile(this.centreId)]: payload.profile } : {})
		});
	}

	/** Document ids named by the problems met so far (corrupt entries, unreadable documents). */
	get problemDocs(): string[] {
		return [...new Set(this.problems.map((p) => ('docId' in p ? String(p.docId) : '')).filter(Boolean))];
	}

	dismissProblems(): void {
		this.problems = [];
	}

	/** The seed's update of one document (the demo centre's), decoded from the seed file. */
	async #seedUpdate(id: string): Promise<Uint8Array | undefined> {
		const text = (await (this.#env.loadSeed ?? loadDemoSeed)()).docs[id];
		return text === undefined ? undefined : Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
	}

	async #seed(repo: Repo): Promise<void> {
		this.status = 'seeding';
		const seed = await (this.#env.loadSeed ?? loadDemoSeed)();
		// The centre document goes last: its presence marks a complete seed, so an interrupted
		// first start seeds again (applying the same updates twice is harmless).
		const centreKey = docId('centre', this.centreId);
		const { [centreKey]: centre, ...rest } = seed.docs;
		const ordered = { ...rest, ...(centre ? { [centreKey]: centre } : {}) };
		await applySeed(repo, { ...seed, docs: ordered }, (done, total) => (this.progress = { done, total }));
	}

	/** Undoes everything start() built, newest first: the profile's pending write is awaited, the
	 *  connection closed, then the centre's lists, search and repo. */
	async #stopCentre(): Promise<void> {
		await this.session?.saved();
		this.session?.destroy();
		await this.#stopSyncing();
		this.#centre.dispose();
		this.#centre = new Disposer();
		this.kb?.destroy();
		await this.search?.destroy();
		await this.repo?.destroy();
	}

	async destroy(): Promise<void> {
		this.#page.dispose();
		this.toasts.destroy();
		await this.#stopCentre();
	}
}

const KEY = Symbol('plateau-app');

export function setApp(app: App): App {
	return setContext(KEY, app);
}

export function getApp(): App {
	const app = getContext<App | undefined>(KEY);
	if (!app) throw new Error('getApp() called outside Plateau’s root layout.');
	return app;
}
