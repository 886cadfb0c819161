// The hub's structured log: one JSON object per line (time, level, event, then the event's fields),
// so an operator's tools can read it. Nothing secret and no document content goes in: callers pass
// ids, counts and reasons, and any field whose name says secret, key, token, password or content is
// replaced by "[redacted]" whatever its value (a last guard, not a licence). Errors are also kept in
// a bounded ring for the operator view (GET /hub/status).

export type HubLogLevel = 'info' | 'warn' | 'error';

export interface HubLogEntry {
	time: string;
	level: HubLogLevel;
	event: string;
	[field: string]: unknown;
}

export interface HubLog {
	info(event: string, fields?: Record<string, unknown>): void;
	warn(event: string, fields?: Record<string, unknown>): void;
	error(event: string, fields?: Record<string, unknown>): void;
	/** The last warnings and errors, oldest first (at most `recent` of them). */
	recent(): HubLogEntry[];
}

const HIDDEN = /secret|key|token|password|content|authorization|invite/i;
/** A text field longer than this is cut (a reason quoting a whole message would be content). */
const MAX_TEXT = 300;

export function createHubLog({
	write = (line: string) => process.stdout.write(`${line}\n`),
	recent = 50,
	base = {}
}: {
	/** Where lines go; stdout by default. */
	write?: (line: string) => void;
	/** How many warnings and errors the ring keeps. */
	recent?: number;
	/** Fields on every line (the instance id, the centre id). */
	base?: Record<string, unknown>;
} = {}): HubLog {
	const ring: HubLogEntry[] = [];
	const log = (level: HubLogLevel, event: string, fields: Record<string, unknown> = {}) => {
		const entry: HubLogEntry = {
			time: new Date().toISOString(),
			level,
			event,
			...clean(base),
			...clean(fields)
		};
		write(JSON.stringify(entry));
		if (level === 'info') return;
		ring.push(entry);
		if (ring.length > recent) ring.shift();
	};
	return {
		info: (e, f) => log('info', e, f),
		warn: (e, f) => log('warn', e, f),
		error: (e, f) => log('error', e, f),
		recent: () => ring.slice()
	};
}

function clean(fields: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(fields)) {
		if (HIDDEN.test(name)) out[name] = '[redacted]';
		else if (value instanceof Error) out[name] = cut(value.message);
		else if (typeof value === 'string') out[name] = cut(value);
		else if (typeof value === 'number' || typeof value === 'boolean' || value === null) out[name] = value;
		else if (Array.isArray(value))
			out[name] = value.slice(0, 20).map((v) => (typeof v === 'string' ? cut(v) : v));
		else if (value !== undefined) out[name] = cut(String(value));
	}
	return out;
}

function cut(text: string): string {
	return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}
