// The network modes the scale benchmark compares, and what each passes to the peers it starts.
// `mesh` is a full mesh (every peer links to every other, as every browser did before issue 13). `bounded` gives each peer a target
// number of links (WebRtcMesh `links: { target, max }` and `profile`), `bounded+hub` adds the
// always-on hub (src/lib/server/hub.ts `createHub`). The two latter plug in here once they land:
// their availability is detected (WebRtcMesh gains `stats()`, hub.ts exists), and their options are
// passed through untouched to createNodePeer / createHub (see scale-worker.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LINKS, WebRtcMesh } from '../../src/lib/net/webrtc';
import type { ScaleMode } from './scale-stats';

export interface ModeSpec {
	mode: ScaleMode;
	/** The links every peer should hold once an overlay of `n` members (hub included) is formed. */
	target(n: number): number;
	/** Extra NodePeerOptions of each peer of an overlay of `n` members (hub included). */
	peerOptions(n: number): Record<string, unknown>;
	/** Peers start one at a time, each fully linked before the next (else all at once). */
	oneByOne: boolean;
	/** Options of createHub, when the mode has a hub. */
	hubOptions?: Record<string, unknown>;
	/** Why the mode cannot run in this build, or undefined. */
	unavailable(): string | undefined;
	/** How the relay delivers signals addressed to one peer: to its inbox (Plateau's relay), or
	 *  to every peer of the centre as well (the relay before issue 13). */
	fanout?: 'targeted' | 'broadcast';
}

/** More links than peers in any run: a full mesh accepts every link. */
const FULL_MESH = 1000;

/** Bounded links: PLATEAU_SCALE_LINKS="target,max" (default: the product's DEFAULT_LINKS). */
function boundedLinks(env: Record<string, string | undefined>): { target: number; max: number } {
	const [target, max] = (env.PLATEAU_SCALE_LINKS ?? `${DEFAULT_LINKS.target},${DEFAULT_LINKS.max}`)
		.split(',')
		.map(Number);
	if (!Number.isInteger(target) || !Number.isInteger(max) || target! < 1 || max! < target!)
		throw new Error(
			`PLATEAU_SCALE_LINKS is "target,max" with 1 ≤ target ≤ max, got "${env.PLATEAU_SCALE_LINKS}"`
		);
	return { target: target!, max: max! };
}

const boundedMissing = () =>
	typeof (WebRtcMesh.prototype as unknown as { stats?: unknown }).stats === 'function'
		? undefined
		: 'WebRtcMesh has no bounded links yet (no stats(), no links option)';
const hubMissing = () =>
	existsSync(fileURLToPath(new URL('../../src/lib/server/hub.ts', import.meta.url)))
		? undefined
		: 'no hub yet (src/lib/server/hub.ts)';

/** Modes whose peers start one at a time: PLATEAU_SCALE_ONE_BY_ONE="mesh,mesh-broadcast" (default),
 *  "" for none. */
function oneByOne(mode: ScaleMode, env: Record<string, string | undefined>): boolean {
	return (env.PLATEAU_SCALE_ONE_BY_ONE ?? 'mesh,mesh-broadcast').split(',').includes(mode);
}

export function modeSpec(mode: ScaleMode, env: Record<string, string | undefined>, floor: string): ModeSpec {
	// The full mesh: every peer links to every other. Its target is the centre's size (every other
	// member), so once linked to all it stops announcing, as a full mesh does; it accepts any number
	// of links, so it answers every announce and links to everyone who answers. Its signaling is the
	// overlay's (targeted inboxes), so the comparison measures what bounding the links saves. (With
	// a target above the size, every peer re-announced forever: 5 announces × N copies in 2 s at
	// N = 20, noise larger than the join measured.) It announces on the centre topic, to every peer,
	// as a full mesh must: no lobby shards (`lobbyLevels: 0`), whose probes would only add to it.
	// The full mesh as Plateau had it before issue 13, the comparator: the same peers, and a
	// relay that writes every signal to every peer of the centre (the recipient was inside the
	// encrypted payload, so the relay could not route it). Only the relay differs: the peers' own
	// messages are today's (trimmed candidates, batched), so this is a cheaper mesh than the one the
	// issue measured, never a dearer one.
	if (mode === 'mesh-broadcast') return { ...modeSpec('mesh', env, floor), mode, fanout: 'broadcast' };
	if (mode === 'mesh')
		return {
			mode,
			target: (n) => n - 1,
			peerOptions: (n) => ({
				links: { target: Math.max(1, n - 1), max: FULL_MESH },
				profile: { floor },
				mesh: { lobbyLevels: 0 }
			}),
			oneByOne: oneByOne(mode, env),
			unavailable: () => undefined
		};
	const links = boundedLinks(env);
	const peerOptions = () => ({ links, profile: { floor } });
	if (mode === 'bounded')
		return {
			mode,
			target: () => links.target,
			peerOptions,
			oneByOne: oneByOne(mode, env),
			unavailable: boundedMissing
		};
	return {
		mode,
		target: () => links.target,
		peerOptions,
		oneByOne: oneByOne(mode, env),
		// The hub sets its own links and profile (many links, `hub: true`); nothing to add yet.
		hubOptions: {},
		unavailable: () => boundedMissing() ?? hubMissing()
	};
}
