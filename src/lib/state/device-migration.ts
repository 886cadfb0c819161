// Devices from before the device store kept their centre (with its secret), identity (a private key
// as extractable JSON) and profile in localStorage. Moved once into the device store — the key
// imported as not extractable, the secret sealed — and the localStorage copies deleted only after
// the durable write, so a crash in between leaves both and the next start finishes the move.
import { DEVICE_KEYS, type DeviceStore } from '../repo/device-store';
import { importIdentity } from '../repo/identity';
import { WebCryptoUnavailableError } from '../domain/subtle';
import { parseInviteCode } from '../domain/codes';
import { saveCredentials } from './centre-credentials';
import { identityRecords } from './identity-store';

const LEGACY_CENTRE = 'plateau:centre';
const PER_CENTRE = /^plateau:([a-z0-9-]{1,64}):(identity|profile|agent-id)$/;

export async function migrateLocalStorage(storage: Storage | undefined, device: DeviceStore): Promise<void> {
	if (!storage) return;
	const centre = storage.getItem(LEGACY_CENTRE);
	if (centre !== null) {
		try {
			const raw = JSON.parse(centre) as { centreId?: unknown; secret?: unknown; seed?: unknown } | null;
			if (raw && typeof raw.centreId === 'string' && typeof raw.secret === 'string') {
				const { centreId, secret } = parseInviteCode(`plateau:${raw.centreId}:${raw.secret}`);
				if ((await device.get(DEVICE_KEYS.centre)) === undefined)
					await saveCredentials(device, { centreId, secret, seed: raw.seed === true });
			}
			storage.removeItem(LEGACY_CENTRE);
		} catch (err) {
			// Without WebCrypto the secret cannot be sealed: keep it where it is until it can.
			if (!(err instanceof WebCryptoUnavailableError)) storage.removeItem(LEGACY_CENTRE);
		}
	}
	const centres = new Set<string>();
	for (let i = 0; i < storage.length; i++) {
		const match = PER_CENTRE.exec(storage.key(i) ?? '');
		if (match) centres.add(match[1]!);
	}
	for (const centreId of centres) await migrateCentre(storage, device, centreId);
}

async function migrateCentre(storage: Storage, device: DeviceStore, centreId: string): Promise<void> {
	const keys = {
		identity: `plateau:${centreId}:identity`,
		profile: `plateau:${centreId}:profile`,
		agentId: `plateau:${centreId}:agent-id`
	};
	const changes: Record<string, unknown> = {};
	const saved = storage.getItem(keys.identity);
	let keepLegacy = false;
	if (saved !== null && (await device.get(DEVICE_KEYS.identity(centreId))) === undefined) {
		try {
			Object.assign(changes, identityRecords(centreId, await importIdentity(JSON.parse(saved))));
		} catch (err) {
			keepLegacy = err instanceof WebCryptoUnavailableError;
			// A damaged identity: the device gets a new one, and its profile moves from the old id.
			const former = storage.getItem(keys.agentId);
			if (former) changes[DEVICE_KEYS.formerId(centreId)] = former;
		}
	} else if (saved === null) {
		const former = storage.getItem(keys.agentId);
		if (former && (await device.get(DEVICE_KEYS.formerId(centreId))) === undefined)
			changes[DEVICE_KEYS.formerId(centreId)] = former;
	}
	const profile = storage.getItem(keys.profile);
	if (profile !== null && (await device.get(DEVICE_KEYS.profile(centreId))) === undefined) {
		try {
			changes[DEVICE_KEYS.profile(centreId)] = JSON.parse(profile) as unknown;
		} catch {
			/* damaged: the agent introduces themselves again */
		}
	}
	if (keepLegacy) return;
	if (Object.keys(changes).length) await device.write(changes);
	for (const key of Object.values(keys)) storage.removeItem(key);
}
