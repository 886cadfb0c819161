// Pure helpers of the scale benchmark (scale.node.ts): which configurations to run (from the
// environment), how peers are spread over worker processes, whether the overlay the peers report is
// linked, and the power-law fit that extrapolates a measured figure to a larger centre. Kept free of
// processes and sockets so tests/unit/scale-stats.test.ts can check them.

export type ScaleMode = 'mesh-broadcast' | 'mesh' | 'bounded' | 'bounded+hub';
export const SCALE_MODES: readonly ScaleMode[] = ['mesh-broadcast', 'mesh', 'bounded', 'bounded+hub'];

export interface ScalePlan {
	sizes: number[];
	modes: ScaleMode[];
	/** Peers per worker process, at most. */
	perProcess: number;
	/** A configuration whose peers are not all linked after this is stopped. */
	linkTimeoutMs: number;
	edits: number;
	/** An edit that has not reached every peer after this counts as not delivered. */
	editTimeoutMs: number;
	/** Articles of the fill measurement; 0 skips it. */
	fillArticles: number;
	/** Relay limits: 'production' (Plateau's defaults) or 'lifted' (no per-connection rate limit). */
	relay: 'production' | 'lifted';
}

/** The plan from PLATEAU_SCALE_* variables; throws a clear error on a malformed one. */
export function scalePlan(env: Record<string, string | undefined>): ScalePlan {
	const int = (name: string, fallback: number, min = 0): number => {
		const raw = env[name];
		if (raw === undefined || raw === '') return fallback;
		const v = Number(raw);
		if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
		return v;
	};
	const sizes = (env.PLATEAU_SCALE_N ?? '10,20,50,100,200')
		.split(',')
		.filter((s) => s.trim() !== '')
		.map((s) => {
			const v = Number(s.trim());
			if (!Number.isInteger(v) || v < 2 || v > 1000)
				throw new Error(`PLATEAU_SCALE_N: each size is an integer from 2 to 1000, got "${s}"`);
			return v;
		});
	if (sizes.length === 0) throw new Error('PLATEAU_SCALE_N names no size');
	const modes = (env.PLATEAU_SCALE_MODES ?? SCALE_MODES.join(','))
		.split(',')
		.filter((s) => s.trim() !== '')
		.map((s) => {
			const m = s.trim() as ScaleMode;
			if (!SCALE_MODES.includes(m))
				throw new Error(`PLATEAU_SCALE_MODES: "${s}" is not one of ${SCALE_MODES.join(', ')}`);
			return m;
		});
	if (modes.length === 0) throw new Error('PLATEAU_SCALE_MODES names no mode');
	const relay = env.PLATEAU_SCALE_RELAY ?? 'production';
	if (relay !== 'production' && relay !== 'lifted')
		throw new Error(`PLATEAU_SCALE_RELAY is "production" or "lifted", got "${relay}"`);
	return {
		sizes: [...new Set(sizes)].sort((a, b) => a - b),
		modes: [...new Set(modes)],
		perProcess: int('PLATEAU_SCALE_PER_PROCESS', 25, 1),
		linkTimeoutMs: int('PLATEAU_SCALE_LINK_TIMEOUT_MS', 90_000, 1000),
		edits: int('PLATEAU_SCALE_EDITS', 20, 1),
		editTimeoutMs: int('PLATEAU_SCALE_EDIT_TIMEOUT_MS', 5_000, 100),
		fillArticles: int('PLATEAU_SCALE_FILL', 5_000, 0),
		relay
	};
}

/** `count` peer labels spread over as few processes as hold `perProcess` each (two at least, so
 *  links always cross a process boundary), as evenly as possible. */
export function spreadPeers(count: number, perProcess: number): string[][] {
	const processes = Math.min(count, Math.max(2, Math.ceil(count / perProcess)));
	const groups: string[][] = Array.from({ length: processes }, () => []);
	for (let i = 0; i < count; i++) groups[i % processes]!.push(`p${i}`);
	return groups;
}

/** What each peer reports: its id and the ids of the peers it has an open link to. */
export interface PeerLinks {
	id: string;
	links: readonly string[];
}

export interface LinkSummary {
	peers: number;
	/** Links counted once per pair seen from either end. */
	pairs: number;
	mean: number;
	min: number;
	max: number;
	/** Connected components of the overlay (1: everyone can reach everyone). */
	components: number;
}

/** Link counts and connectivity of the overlay, over the peers listed (links to others ignored). */
export function summariseLinks(peers: readonly PeerLinks[]): LinkSummary {
	const ids = new Set(peers.map((p) => p.id));
	const parent = new Map<string, string>([...ids].map((id) => [id, id]));
	const root = (id: string): string => {
		let r = id;
		while (parent.get(r) !== r) r = parent.get(r)!;
		parent.set(id, r);
		return r;
	};
	const pairs = new Set<string>();
	const counts = peers.map((p) => {
		const known = p.links.filter((l) => ids.has(l) && l !== p.id);
		for (const l of known) {
			pairs.add(p.id < l ? `${p.id} ${l}` : `${l} ${p.id}`);
			parent.set(root(p.id), root(l));
		}
		return new Set(known).size;
	});
	const components = new Set([...ids].map(root)).size;
	return {
		peers: peers.length,
		pairs: pairs.size,
		mean: counts.length ? counts.reduce((a, b) => a + b, 0) / counts.length : 0,
		min: counts.length ? Math.min(...counts) : 0,
		max: counts.length ? Math.max(...counts) : 0,
		components
	};
}

/** Linked: one component, and every peer holds at least `target` links (capped at peers − 1). */
export function isLinked(summary: LinkSummary, target: number): boolean {
	return summary.components === 1 && summary.min >= Math.min(target, summary.peers - 1);
}

/** y = c·x^k through the measured points (least squares on logs); needs two distinct x at least. */
export function powerFit(points: readonly { x: number; y: number }[]): { c: number; k: number } | undefined {
	const usable = points.filter((p) => p.x > 0 && p.y > 0);
	if (new Set(usable.map((p) => p.x)).size < 2) return undefined;
	const lx = usable.map((p) => Math.log(p.x));
	const ly = usable.map((p) => Math.log(p.y));
	const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
	const my = ly.reduce((a, b) => a + b, 0) / ly.length;
	let sxy = 0;
	let sxx = 0;
	for (let i = 0; i < lx.length; i++) {
		sxy += (lx[i]! - mx) * (ly[i]! - my);
		sxx += (lx[i]! - mx) ** 2;
	}
	const k = sxy / sxx;
	return { c: Math.exp(my - k * mx), k };
}
