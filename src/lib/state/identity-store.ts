// This device's agent identity, kept in the device store per centre (IndexedDB, written durably):
// the private key is a CryptoKey that is not extractable, stored as such (structured clone). A
// device without one (a new device, or a profile from before identity keys) gets a new key pair on
// start; its agent id is the key's, and the former self-chosen id is returned so the profile can
// move to the new one.
import { DEVICE_KEYS, type DeviceStore } from '../repo/device-store';
import { generateIdentity, restoreIdentity, storedIdentity, type AgentIdentity } from '../repo/identity';
import { newId } from '../domain/ids';

export interface LoadedIdentity {
	identity: AgentIdentity;
	/** The id this device used before it had a key (to migrate its profile), if any. */
	formerId?: string;
}

export async function loadIdentity(device: DeviceStore, centreId: string): Promise<LoadedIdentity> {
	const saved = await device.get(DEVICE_KEYS.identity(centreId));
	if (saved) {
		try {
			return { identity: await restoreIdentity(saved) };
		} catch {
			// A damaged identity cannot be repaired: start a new one (the profile moves to it).
		}
	}
	const former = await device.get(DEVICE_KEYS.formerId(centreId));
	const identity = await generateIdentity();
	await device.write(identityRecords(centreId, identity));
	return typeof former === 'string' && former !== identity.agentId
		? { identity, formerId: former }
		: { identity };
}

/** The records that keep an identity (a new one, or one received by pairing) for the next start;
 *  written together with whatever else must land atomically (a paired device's profile). */
export function identityRecords(centreId: string, identity: AgentIdentity): Record<string, unknown> {
	return {
		[DEVICE_KEYS.identity(centreId)]: storedIdentity(identity),
		[DEVICE_KEYS.formerId(centreId)]: undefined
	};
}

/** A self-chosen id for a device that cannot hold a key (no WebCrypto: plain http on a LAN
 *  address): kept, so the device stays the same agent across starts. */
export async function keylessAgentId(device: DeviceStore, centreId: string): Promise<string> {
	const saved = await device.get(DEVICE_KEYS.formerId(centreId));
	if (typeof saved === 'string' && /^agent-[a-z0-9]{6,40}$/.test(saved)) return saved;
	const agentId = newId('agent-');
	await device.write({ [DEVICE_KEYS.formerId(centreId)]: agentId });
	return agentId;
}
