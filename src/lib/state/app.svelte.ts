import { getContext, setContext } from 'svelte';
import type * as Y from 'yjs';
import { Disposer } from '../domain/emitter';
import { docId, KB_SPACE } from '../domain/ids';
import {
	grantGenesisAdministrator,
	initCentre,
	rolePublishRights,
	mayAdministerCentre,
	observeCentre,
	readAdmins,
	readAgents,
	readCentreInfo,
	setCentreLanguages
} from '../schema/index';
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
	forgetCentre,
	joinWithInviteCode,
	listCentres,
	readCredentials,
	rememberCentreName,
	saveCredentials,
	switchCentre,
	type CentreCredentials,
	type CentreMembership
} from './centre-credentials';
import { loadCentreTemplate } from '../seed/centre-templates';
import {
	centreInfo,
	floorsFromNames,
	newCentreId,
	validateNewCentre,
	type CentreTemplate,
	type NewCentreInput
} from '../domain/centre-setup';
import type { Localized } from '../domain/locale';
import { newCentreSecret } from '../domain/codes';
import { toBase64 } from '../domain/base64';
import { SyncSession, type Connection, type MeshPeerProfile } from './sync-session.svelte';
import { Toasts } from './toasts.svelte';
import { SearchState } from './search.svelte';
import type { SearchStore } from '../search/persistence';
import type { GapStore } from '../search/gap-log';
import { InviteCodeError, inviteCodeFromInput, PairingError, parseInviteCode } from '../domain/codes';
import type { AgentIdentity } from '../repo/identity';
import { DEVICE_KEYS, MemoryDeviceStore, type DeviceStore } from '../repo/device-store';
import { NoteAccessRegistry, removeUnreadableNotes } from '../repo/note-access';
import { identityRecords, keylessAgentId, loadIdentity } from './identity-store';
import { migrateLocalStorage } from './device-migration';
import { PairingOffer, requestPairing } from './pairing.svelte';
import { Notes } from './notes.svelte';
import { RolesState } from './roles.svelte';
import { ReadingState } from './reading.svelte';
import { ReviewIntervalsState } from './review-intervals.svelte';
import { forgery } from './test-forgery';

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
	/** Puts a value where end-to-end tests can reach it (a no-op unless a test asked for it). */
	exposeForTests?: (name: string, value: unknown) => void;
}

/** The running app: one centre's repo, the agent's session and the knowledge base. */
export class App {
	/** `choosing`: this device belongs to no centre yet; the welcome page offers to create one,
	 *  join one or try the demo, and nothing is opened or synced until then. */
	status = $state<'starting' | 'choosing' | 'seeding' | 'ready' | 'failed'>('starting');
	/** The centres this device belongs to (for the switcher), read on each start. */
	centres = $state.raw<CentreMembership[]>([]);
	/** Article documents this device holds, against the catalog's count: a joining device's fill. */
	receivedArticles = $state(0);
	/** Edits not yet on this device's disk (0: everything shown would survive a crash). */
	pendingWrites = $state(0);
	progress = $state({ done: 0, total: 0 });
	failure = $state('');
	problems = $state.raw<RepoError[]>([]);
	online = $state(globalThis.navigator?.onLine ?? true);
	/** When the demo was last reset on this page, so Settings can confirm it after the restart. */
	lastResetAt = $state<number | null>(null);
	/** When an administrator last changed the invite code on this page (Settings confirms it). */
	lastRotatedAt = $state<number | null>(null);
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
	/** The centre's roles, from its signed role records (Settings › People; who may publish). */
	roles: RolesState | undefined = $state.raw();
	/** What this agent last read and follows, and their change feed: kept on this device only. */
	reading: ReadingState | undefined = $state.raw();
	/** The topics' review intervals, set by their experts (due dates everywhere read them). */
	reviewIntervals: ReviewIntervalsState | undefined = $state.raw();
	/** Who may read and write each shared note (its authors' access records). */
	noteAccess: NoteAccessRegistry | undefined;
	/** This device's agent key pair; undefined only where WebCrypto is missing. */
	identity: AgentIdentity | undefined;
	/** Who may publish an article of a topic, by the centre's signed role records: every
	 *  publication received is judged by it (schema/publish-rights.ts). */
	readonly publishRights: PublishRights = rolePublishRights(() =>
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
			const credentials = await readCredentials(device, this.#env.storage);
			this.centres = await listCentres(device);
			if (!credentials) {
				this.status = 'choosing';
				return;
			}
			this.credentials = credentials;
			const repo = new Repo({ storage: this.#env.openStorage(this.storeName) });
			this.#centre.add(repo.onError((e) => (this.problems = [...this.problems, e])));
			this.#centre.add(repo.onPendingWrites((n) => (this.pendingWrites = n)));
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
			const kb = new KnowledgeBase(space, centre);
			this.kb = kb;
			await this.#watchCentre(repo, centre);
			const reading = new ReadingState(device, centreId, {
				entries: () => kb.entries,
				taxonomy: () => kb.taxonomy,
				floorTopics: () => kb.floor(session.profile?.floor)?.topics ?? []
			});
			await reading.load();
			this.reading = reading;
			const roles = new RolesState(centre, session.agentId, this.identity);
			this.roles = roles;
			this.#centre.add(() => roles.destroy());
			const intervals = new ReviewIntervalsState(centre, {
				agentId: session.agentId,
				identity: this.identity,
				roles: () => roles.roles,
				taxonomy: () => this.kb?.taxonomy ?? []
			});
			this.reviewIntervals = intervals;
			this.#centre.add(() => intervals.destroy());
			if (this.identity && this.#env.exposeForTests)
				this.#env.exposeForTests(
					'__plateauForge',
					forgery(repo, centreId, this.identity, () => session.profile?.name ?? '')
				);
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

	/** Creates a centre from the creation form (throws ValidationError naming the field at fault):
	 *  a new id and secret, its floors, languages and taxonomy, this device's agent as its first
	 *  administrator; then the app restarts in it (the agent introduces themselves next). */
	async createCentre(input: NewCentreInput): Promise<string> {
		const checked = validateNewCentre(input);
		const template = await loadCentreTemplate(checked.template, this.#env.loadSeed ?? loadDemoSeed);
		const centreId = newCentreId(checked.name);
		const identity = (await loadIdentity(this.#device, centreId)).identity;
		const storeName = `joined-${centreId}`;
		const repo = new Repo({ storage: this.#env.openStorage(storeName) });
		try {
			const doc = await repo.open(docId('centre', centreId));
			doc.transact(() => {
				initCentre(
					doc,
					centreInfo(centreId, checked.name),
					floorsFromNames(checked.floorNames),
					template.taxonomy,
					[],
					[{ agentId: identity.agentId, publicKey: toBase64(identity.publicKey) }]
				);
				setCentreLanguages(doc, checked.languages);
			});
			// The founder's signed administrator record: the root every peer verifies roles from.
			await grantGenesisAdministrator(doc, identity);
			await repo.flush();
		} finally {
			await repo.destroy();
		}
		await saveCredentials(this.#device, { centreId, secret: newCentreSecret(), seed: false }, checked.name);
		await this.#restart();
		return centreId;
	}

	/** The floors a centre template suggests, for the creation form. */
	async templateFloors(template: CentreTemplate): Promise<Localized[]> {
		return (await loadCentreTemplate(template, this.#env.loadSeed ?? loadDemoSeed)).floors;
	}

	/** Opens the demo centre (seeded on this device, apart from any real centre). */
	async tryDemo(): Promise<void> {
		await saveCredentials(this.#device, { centreId: DEMO_CENTRE, secret: DEMO_SECRET, seed: true });
		await this.#restart();
	}

	/** Works in another centre of this device from now on. */
	async switchTo(centreId: string): Promise<void> {
		await switchCentre(this.#device, centreId);
		await this.#restart();
	}

	/** Back to the choice of a centre (create, join, demo). A centre that holds nothing yet — joined
	 *  with a code that reached nobody — is removed from the device on the way (its empty store,
	 *  identity and profile): the way out of a wrong code. Another centre may be reopened from the
	 *  choice (`switchTo`). */
	async chooseAnother(): Promise<void> {
		const empty = (this.kb?.floors.length ?? 0) === 0;
		const { centreId, storeName } = this;
		await this.#stopCentre();
		this.#clearCentre();
		if (empty) {
			await this.#env.deleteStorage(storeName);
			await forgetCentre(this.#device, centreId);
		}
		this.centres = await listCentres(this.#device);
		this.status = 'choosing';
	}

	/** Revokes the centre's invite code and makes a new one (administrators only): a new secret,
	 *  so the signaling and every link are keyed anew; devices holding the old code reach nobody
	 *  of the centre until they enter the new one (their documents stay). The app restarts on the
	 *  new secret; returns it. */
	async rotateInvite(): Promise<string> {
		if (!this.isAdmin) throw new Error('Only an administrator of this centre may change its invite code.');
		if (this.credentials.seed) throw new Error('The demo centre’s code is public and fixed.');
		const secret = newCentreSecret();
		const name = this.centres.find((c) => c.current)?.name;
		await saveCredentials(this.#device, { centreId: this.centreId, secret, seed: false }, name);
		await this.#restart();
		return secret;
	}

	/** Whether the open centre lists administrators (a created centre; not the demo). */
	get hasAdmins(): boolean {
		const doc = this.repo?.opened(docId('centre', this.centreId));
		return !!doc && readAdmins(doc).size > 0;
	}

	/** Devices of this centre are heard with another secret while this one holds the centre: one
	 *  side has an old code (an administrator may have changed it). */
	readonly otherSecretHeard = $derived(!!this.sync?.foreignSecret && (this.kb?.floors.length ?? 0) > 0);

	/** Whether this device's agent is an administrator of the open centre: its founder, or made one
	 *  by a signed role record (demo roles never administer a centre). */
	get isAdmin(): boolean {
		const doc = this.repo?.opened(docId('centre', this.centreId));
		const id = this.identity;
		if (!doc || !id) return false;
		return mayAdministerCentre(doc, this.roles?.roles, id.agentId, toBase64(id.publicKey));
	}

	/** Switches this device to the centre of an invite code (rejects with InviteCodeError for a
	 *  wrong code); resolves once that is durably stored, and the page must then reload. */
	join(code: string): Promise<CentreCredentials> {
		return joinWithInviteCode(this.#device, inviteCodeFromInput(code));
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

	/** Closes what is open and starts again on the device's current centre. */
	async #restart(): Promise<void> {
		await this.#stopCentre();
		this.#clearCentre();
		await this.start();
	}

	#clearCentre(): void {
		this.kb = this.search = this.notes = this.roles = this.repo = this.session = this.reading = undefined;
		this.reviewIntervals = undefined;
		this.problems = [];
		this.receivedArticles = 0;
		this.syncFailure = '';
		this.status = 'starting';
	}

	/** Keeps the centre's name for the switcher, and counts the article documents received. */
	async #watchCentre(repo: Repo, centre: Y.Doc): Promise<void> {
		const centreId = this.centreId;
		let name = '';
		const readName = () => {
			const info = readCentreInfo(centre);
			const now = info ? (info.name[this.i18n.locale] ?? info.name.fr) : '';
			if (now && now !== name) {
				name = now;
				void rememberCentreName(this.#device, centreId, now).then(
					async () => (this.centres = await listCentres(this.#device))
				);
			}
		};
		readName();
		this.#centre.add(observeCentre(centre, readName));
		const articles = new Set((await repo.list()).filter((id) => id.startsWith('article/')));
		this.receivedArticles = articles.size;
		this.#centre.add(
			repo.onChange(({ docId }) => {
				if (!docId.startsWith('article/') || articles.has(docId)) return;
				articles.add(docId);
				this.receivedArticles = articles.size;
			})
		);
	}

	/** Erases this device's copy of the demo centre and installs it again. The profile is kept. */
	async resetDemo(): Promise<void> {
		const profile = this.session?.profile;
		await this.#stopCentre();
		this.#clearCentre();
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
		await this.reading?.saved();
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
