// This device's agent identity, kept in the device's storage per centre. A device without one (a
// new device, or a profile from before identity keys) gets a new key pair on start; its agent id
// is the key's, and the former self-chosen id is returned so the profile can move to the new one.
import {
	exportIdentity,
	generateIdentity,
	importIdentity,
	type AgentIdentity,
	type ExportedIdentity
} from '../repo/identity';

const identityKey = (centreId: string) => `plateau:${centreId}:identity`;
const agentIdKey = (centreId: string) => `plateau:${centreId}:agent-id`;

export interface LoadedIdentity {
	identity: AgentIdentity;
	/** The id this device used before it had a key (to migrate its profile), if any. */
	formerId?: string;
}

export async function loadIdentity(storage: Storage | undefined, centreId: string): Promise<LoadedIdentity> {
	const saved = storage?.getItem(identityKey(centreId));
	if (saved) {
		try {
			return { identity: await importIdentity(JSON.parse(saved)) };
		} catch {
			// A damaged identity cannot be repaired: start a new one (the profile moves to it).
		}
	}
	const formerId = storage?.getItem(agentIdKey(centreId)) ?? undefined;
	const identity = await generateIdentity();
	await saveIdentity(storage, centreId, await exportIdentity(identity));
	return formerId && formerId !== identity.agentId ? { identity, formerId } : { identity };
}

/** Stores an identity (a new one, or one received by pairing) for the next start. */
export async function saveIdentity(
	storage: Storage | undefined,
	centreId: string,
	exported: ExportedIdentity
): Promise<void> {
	storage?.setItem(identityKey(centreId), JSON.stringify(exported));
	storage?.setItem(agentIdKey(centreId), exported.agentId);
}
