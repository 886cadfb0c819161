// The hub's settings from the environment, and its log's guard against secrets: the demo invite is
// the browsers' demo centre, bad values fail at start naming the variable, and a log line never
// carries a secret-looking field's value.
import { describe, expect, it } from 'vitest';
import { parseInviteCode } from '../../src/lib/domain/codes';
import { DEMO_INVITE, hubConfigFromEnv } from '../../src/lib/server/hub-config';
import { createHubLog } from '../../src/lib/server/hub-log';
import { DEMO_CENTRE, DEMO_SECRET } from '../../src/lib/state/centre-credentials';

describe('hub settings', () => {
	it('serves the demo centre by default, as the browsers join it, on ./data/hub', () => {
		expect(parseInviteCode(DEMO_INVITE)).toEqual({ centreId: DEMO_CENTRE, secret: DEMO_SECRET });
		const c = hubConfigFromEnv({}, '/srv/plateau')!;
		expect(c.centreId).toBe('demo');
		expect(c.secret).toBe(DEMO_SECRET);
		expect(c.dataDir).toBe('/srv/plateau/data/hub');
		expect(c.databaseUrl).toBeUndefined();
		expect(c.redisUrl).toBeUndefined();
		expect(c.statusToken).toBeUndefined();
	});

	it('is off with PLATEAU_HUB=off, and reads a centre, database, bus and token', () => {
		expect(hubConfigFromEnv({ PLATEAU_HUB: 'off' })).toBeUndefined();
		const c = hubConfigFromEnv({
			PLATEAU_CENTRE: 'plateau:acme-lyon:k3f9-2m7q-8hxd-0pz4-7tnc-v1wa-e5gr',
			DATABASE_URL: 'postgres://db/plateau',
			REDIS_URL: 'redis://cache:6379',
			PLATEAU_HUB_TOKEN: 'a-long-enough-operator-token',
			PLATEAU_HUB_INSTANCE: 'hub-1'
		})!;
		expect(c).toMatchObject({
			centreId: 'acme-lyon',
			secret: 'k3f92m7q8hxd0pz47tncv1wae5gr',
			databaseUrl: 'postgres://db/plateau',
			redisUrl: 'redis://cache:6379',
			statusToken: 'a-long-enough-operator-token',
			instanceId: 'hub-1'
		});
	});

	it('fails at start on a bad value, naming the variable and not echoing the secret', () => {
		expect(() => hubConfigFromEnv({ PLATEAU_CENTRE: 'plateau:acme:short' })).toThrow(/^PLATEAU_CENTRE: /);
		expect(() => hubConfigFromEnv({ PLATEAU_HUB_TOKEN: 'short' })).toThrow(/PLATEAU_HUB_TOKEN/);
		expect(() => hubConfigFromEnv({ PLATEAU_HUB_ROOM: 'Not A Room' })).toThrow(/PLATEAU_HUB_ROOM/);
		try {
			hubConfigFromEnv({ PLATEAU_CENTRE: 'plateau:acme:zz!!secretvalue' });
		} catch (err) {
			expect(String(err)).not.toContain('zz!!secretvalue');
		}
	});
});

describe('hub log', () => {
	it('writes one JSON object per line, redacts secret-looking fields, keeps a bounded ring of problems', () => {
		const lines: string[] = [];
		const log = createHubLog({ write: (l) => lines.push(l), recent: 3, base: { instance: 'hub-1' } });
		log.info('hub.started', { secret: 'k3f92m7q8hxd0pz47tncv1wae5gr', privateKey: { d: 'abc' }, docs: 3 });
		for (let i = 0; i < 5; i++) log.warn('sync.rejected', { peer: `p${i}`, reason: 'x'.repeat(1000) });
		expect(lines).toHaveLength(6);
		const first = JSON.parse(lines[0]!);
		expect(first).toMatchObject({ level: 'info', event: 'hub.started', instance: 'hub-1', docs: 3 });
		expect(first.secret).toBe('[redacted]');
		expect(first.privateKey).toBe('[redacted]');
		expect(lines.join('\n')).not.toContain('k3f92m7q');
		expect(typeof first.time).toBe('string');
		expect(log.recent().map((e) => e.peer)).toEqual(['p2', 'p3', 'p4']);
		expect((log.recent()[0]!.reason as string).length).toBeLessThan(400);
	});
});
