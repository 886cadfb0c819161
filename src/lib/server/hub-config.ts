// The hub's settings from the environment, parsed in one place so that a mistake fails at start:
//  - PLATEAU_HUB: `off` runs the server without a hub (the embedded default runs one);
//  - PLATEAU_CENTRE: the invite code of the centre the hub serves (default: the demo centre's);
//  - PLATEAU_HUB_ROOM: a meeting room inside the centre (tests and trainings keep apart this way);
//  - PLATEAU_HUB_DATA: the hub's directory (documents without DATABASE_URL, its identity): ./data/hub;
//  - DATABASE_URL: PostgreSQL storage shared by the centre's hub instances (PLATEAU_HUB_SCHEMA: its
//    schema, default public);
//  - REDIS_URL: the bus between instances (scale-out); PLATEAU_HUB_INSTANCE: this instance's id;
//  - PLATEAU_HUB_TOKEN: the operator's bearer token for GET /hub/status (unset: the view is off).
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { formatInviteCode, parseInviteCode } from '../domain/codes';
import type { Env } from './config';

/** The demo centre every fresh browser starts in: its secret is public (src/lib/state/
 *  centre-credentials.ts holds the same; a unit test keeps the two equal). */
export const DEMO_INVITE = formatInviteCode('demo', '7demqp4tc2h9x3vbnk8rfa6wgy5s');

export interface HubConfig {
	centreId: string;
	/** The centre secret, canonical form. Never logged. */
	secret: string;
	room?: string;
	dataDir: string;
	databaseUrl?: string;
	databaseSchema?: string;
	redisUrl?: string;
	instanceId: string;
	/** Bearer token of the operator view; undefined: the view is off. Never logged. */
	statusToken?: string;
}

/** The hub's settings, or undefined when PLATEAU_HUB=off. Throws with the variable's name on a bad
 *  value (the invite code's own message says what is wrong with it, never the secret). */
export function hubConfigFromEnv(env: Env, cwd = process.cwd()): HubConfig | undefined {
	const switched = env.PLATEAU_HUB?.trim().toLowerCase();
	if (switched === 'off' || switched === '0' || switched === 'false') return undefined;
	let invite;
	try {
		invite = parseInviteCode(env.PLATEAU_CENTRE?.trim() || DEMO_INVITE);
	} catch (err) {
		throw new Error(`PLATEAU_CENTRE: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
	}
	const room = env.PLATEAU_HUB_ROOM?.trim();
	if (room && !/^[a-z0-9-]{1,64}$/.test(room))
		throw new Error('PLATEAU_HUB_ROOM: lowercase letters, digits and dashes, at most 64');
	const instanceId = env.PLATEAU_HUB_INSTANCE?.trim() || `hub-${randomUUID()}`;
	if (!/^[\w.:-]{1,100}$/.test(instanceId))
		throw new Error('PLATEAU_HUB_INSTANCE: letters, digits, and . : _ - only, at most 100');
	const schema = env.PLATEAU_HUB_SCHEMA?.trim();
	const token = env.PLATEAU_HUB_TOKEN?.trim();
	if (token !== undefined && token !== '' && token.length < 16)
		throw new Error('PLATEAU_HUB_TOKEN: at least 16 characters');
	return {
		centreId: invite.centreId,
		secret: invite.secret,
		...(room ? { room } : {}),
		dataDir: resolve(cwd, env.PLATEAU_HUB_DATA?.trim() || 'data/hub'),
		...(env.DATABASE_URL?.trim() ? { databaseUrl: env.DATABASE_URL.trim() } : {}),
		...(schema ? { databaseSchema: schema } : {}),
		...(env.REDIS_URL?.trim() ? { redisUrl: env.REDIS_URL.trim() } : {}),
		instanceId,
		...(token ? { statusToken: token } : {})
	};
}
