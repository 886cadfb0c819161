// Which centre this device works in, and the secret its peers share. Kept in the device store
// (IndexedDB, written durably), the secret sealed with AES-GCM under the device's sealing key — a
// CryptoKey that is not extractable — so neither localStorage nor a dump of the browser's storage
// holds it in clear. The demo centre's secret is public (it is a demo); any other centre's comes
// from an invite code. The meeting room is not a secret and stays in localStorage, where tests set it.
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
}

export const DEMO_CENTRE = 'demo';
/** The demo centre's shared secret: public, so every demo device meets the others. */
export const DEMO_SECRET = '7demqp4tc2h9x3vbnk8rfa6wgy5s';
const ROOM_KEY = 'plateau:room';
const DEMO: CentreCredentials = { centreId: DEMO_CENTRE, secret: DEMO_SECRET, seed: true };

export async function readCredentials(
	device: DeviceStore,
	storage: Storage | undefined
): Promise<CentreCredentials> {
	const room = storage?.getItem(ROOM_KEY);
	const credentials = await readCentre(device);
	return room && /^[a-z0-9-]{1,64}$/.test(room) ? { ...credentials, room } : credentials;
}

async function readCentre(device: DeviceStore): Promise<CentreCredentials> {
	try {
		const raw = (await device.get(DEVICE_KEYS.centre)) as Partial<CentreRecord> | undefined;
		const key = await device.get(DEVICE_KEYS.sealingKey);
		if (
			raw &&
			typeof raw.centreId === 'string' &&
			typeof raw.sealedSecret === 'string' &&
			key instanceof CryptoKey
		) {
			const secret = await decryptText(key, raw.sealedSecret);
			const checked = parseInviteCode(`plateau:${raw.centreId}:${secret}`);
			return { ...checked, seed: raw.seed === true };
		}
	} catch {
		/* damaged record, or sealed under a key this device lost: fall back to the demo centre */
	}
	return DEMO;
}

/** Keeps the centre this device works in; resolves once it is durably stored. */
export async function saveCredentials(
	device: DeviceStore,
	credentials: Omit<CentreCredentials, 'room'>
): Promise<void> {
	let key = await device.get(DEVICE_KEYS.sealingKey);
	const changes: Record<string, unknown> = {};
	if (!(key instanceof CryptoKey)) changes[DEVICE_KEYS.sealingKey] = key = await newSealingKey();
	const record: CentreRecord = {
		centreId: credentials.centreId,
		seed: credentials.seed,
		sealedSecret: await encryptText(key as CryptoKey, credentials.secret)
	};
	changes[DEVICE_KEYS.centre] = record;
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
