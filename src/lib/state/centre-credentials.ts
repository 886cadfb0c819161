// Which centres this device belongs to, which one it works in now, and the secret each centre's
// peers share. Kept in the device store (IndexedDB, written durably), every secret sealed with
// AES-GCM under the device's sealing key — a CryptoKey that is not extractable — so neither
// localStorage nor a dump of the browser's storage holds it in clear. The demo centre's secret is
// public (it is a demo); any other centre's comes from an invite code or from its creation. A fresh
// device belongs to no centre until its agent creates one, joins one or tries the demo. The meeting
// room is not a secret and stays in localStorage, where tests set it.
import { parseInviteCode } from '../domain/codes';
import { decryptText, encryptText, newSealingKey } from '../net/crypto';
import { DEVICE_KEYS, type DeviceStore } from '../repo/device-store';

export interface CentreCredentials {
	centreId: string;
	secret: string;
	/** Seed the demo content locally (first start on the demo centre). A centre joined by invite code
	 *  starts empty and is filled by its peers. */
	seed: boolean;
	/** Optional meeting room inside the centre: devices only meet peers of the same room. Lets a
	 *  training session, or a test, run on its own on a shared server. */
	room?: string;
}

/** The record kept in the device store. */
interface CentreRecord {
	centreId: string;
	seed: boolean;
	/** The secret, AES-GCM under the sealing key (net/crypto.ts encryptText). */
	sealedSecret: string;
	/** The centre's name as last seen (for the switcher), when known. */
	name?: string;
}

/** A centre of this device as the switcher lists it (no secret). */
export interface CentreMembership {
	centreId: string;
	seed: boolean;
	name?: string;
	current: boolean;
}

export const DEMO_CENTRE = 'demo';
/** The demo centre's shared secret: public, so every demo device meets the others. */
export const DEMO_SECRET = '7demqp4tc2h9x3vbnk8rfa6wgy5s';
const ROOM_KEY = 'plateau:room';
const DEMO: CentreCredentials = { centreId: DEMO_CENTRE, secret: DEMO_SECRET, seed: true };

/** The centre this device works in, or undefined when it belongs to none yet (a fresh device: the
 *  welcome page offers to create, join or try the demo). */
export async function readCredentials(
	device: DeviceStore,
	storage: Storage | undefined
): Promise<CentreCredentials | undefined> {
	const room = storage?.getItem(ROOM_KEY);
	const credentials = await readCentre(device);
	if (!credentials) return undefined;
	return room && /^[a-z0-9-]{1,64}$/.test(room) ? { ...credentials, room } : credentials;
}

async function unseal(device: DeviceStore, raw: Partial<CentreRecord> | undefined) {
	const key = await device.get(DEVICE_KEYS.sealingKey);
	if (!raw || typeof raw.centreId !== 'string' || typeof raw.sealedSecret !== 'string') return undefined;
	if (!(key instanceof CryptoKey)) return undefined;
	const secret = await decryptText(key, raw.sealedSecret);
	return { ...parseInviteCode(`plateau:${raw.centreId}:${secret}`), seed: raw.seed === true };
}

async function readCentre(device: DeviceStore): Promise<CentreCredentials | undefined> {
	try {
		const current = await unseal(device, (await device.get(DEVICE_KEYS.centre)) as Partial<CentreRecord>);
		if (current) return current;
	} catch {
		/* damaged record, or sealed under a key this device lost */
	}
	// A device from before centres were chosen worked in the demo centre without a record: it keeps
	// doing so if it holds an agent there.
	const keys = await device.keys();
	if (keys.includes(DEVICE_KEYS.identity(DEMO_CENTRE)) || keys.includes(DEVICE_KEYS.profile(DEMO_CENTRE)))
		return DEMO;
	return undefined;
}

async function records(device: DeviceStore): Promise<CentreRecord[]> {
	const list = await device.get(DEVICE_KEYS.centres);
	return Array.isArray(list)
		? (list as CentreRecord[]).filter((r) => r && typeof r.centreId === 'string')
		: [];
}

/** Every centre of this device, the current one marked (the current one is listed even when it
 *  was chosen before the list existed). */
export async function listCentres(device: DeviceStore): Promise<CentreMembership[]> {
	const current = await readCentre(device);
	const out: CentreMembership[] = (await records(device)).map((r) => ({
		centreId: r.centreId,
		seed: r.seed === true,
		...(r.name ? { name: r.name } : {}),
		current: r.centreId === current?.centreId
	}));
	if (current && !out.some((c) => c.current))
		out.unshift({ centreId: current.centreId, seed: current.seed, current: true });
	return out;
}

/** Makes another centre of this device the current one; takes effect on the next start. */
export async function switchCentre(device: DeviceStore, centreId: string): Promise<void> {
	const record = (await records(device)).find((r) => r.centreId === centreId);
	if (!record) throw new Error(`This device does not belong to centre ${centreId}.`);
	await device.write({ [DEVICE_KEYS.centre]: record });
}

/** Remembers a centre's name for the switcher (once its centre document told it). */
export async function rememberCentreName(device: DeviceStore, centreId: string, name: string): Promise<void> {
	const list = await records(device);
	const i = list.findIndex((r) => r.centreId === centreId);
	if (i < 0 || list[i]!.name === name) return;
	list[i] = { ...list[i]!, name };
	await device.write({ [DEVICE_KEYS.centres]: list });
}

/** Removes a centre from this device (its agent identity and profile there too; its documents
 *  are the caller's to delete). Another centre becomes current, or none. Returns it. */
export async function forgetCentre(device: DeviceStore, centreId: string): Promise<string | undefined> {
	const list = (await records(device)).filter((r) => r.centreId !== centreId);
	const current = (await device.get(DEVICE_KEYS.centre)) as Partial<CentreRecord> | undefined;
	const changes: Record<string, unknown> = {
		[DEVICE_KEYS.centres]: list,
		[DEVICE_KEYS.identity(centreId)]: undefined,
		[DEVICE_KEYS.profile(centreId)]: undefined,
		[DEVICE_KEYS.formerId(centreId)]: undefined
	};
	let next = current?.centreId;
	if (!current || current.centreId === centreId) {
		next = list[0]?.centreId;
		changes[DEVICE_KEYS.centre] = list[0];
	}
	await device.write(changes);
	return next;
}

/** Keeps the centre this device works in (and adds it to the device's centres); resolves once it
 *  is durably stored. */
export async function saveCredentials(
	device: DeviceStore,
	credentials: Omit<CentreCredentials, 'room'>,
	name?: string
): Promise<void> {
	let key = await device.get(DEVICE_KEYS.sealingKey);
	const changes: Record<string, unknown> = {};
	if (!(key instanceof CryptoKey)) changes[DEVICE_KEYS.sealingKey] = key = await newSealingKey();
	const record: CentreRecord = {
		centreId: credentials.centreId,
		seed: credentials.seed,
		sealedSecret: await encryptText(key as CryptoKey, credentials.secret)
	};
	const list = await records(device);
	const former = list.find((r) => r.centreId === record.centreId);
	if (name ?? former?.name) record.name = name ?? former?.name;
	changes[DEVICE_KEYS.centre] = record;
	changes[DEVICE_KEYS.centres] = [...list.filter((r) => r.centreId !== record.centreId), record];
	await device.write(changes);
}

/** Joins the centre of an invite code (rejects with InviteCodeError for a wrong code). Takes effect
 *  on the next start; resolves once the choice is durably stored. */
export async function joinWithInviteCode(device: DeviceStore, code: string): Promise<CentreCredentials> {
	const { centreId, secret } = parseInviteCode(code);
	const credentials = { centreId, secret, seed: false };
	await saveCredentials(device, credentials);
	return credentials;
}
