// The hub socket fallback: opened when the mesh reaches no hub in time, not when it does, at once
// when WebRTC is blocked, and never after the composite is gone.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CompositeNetwork } from '../../src/lib/net/composite';
import { hubFallback } from '../../src/lib/net/hub-fallback';
import { MemoryHub } from '../../src/lib/net/memory';

afterEach(() => vi.useRealTimers());

function setup() {
	vi.useFakeTimers();
	const webrtc = new MemoryHub();
	const sockets = new MemoryHub();
	const mesh = webrtc.join('browser');
	const composite = new CompositeNetwork('browser', [mesh]);
	sockets.join('hub');
	const opened: string[] = [];
	const open = () => {
		opened.push('socket');
		return sockets.join('browser');
	};
	return { webrtc, mesh, composite, open, opened };
}

describe('hubFallback', () => {
	it('opens the hub socket when the mesh has no link within the wait, and the composite reaches the hub over it', () => {
		const { mesh, composite, open, opened } = setup();
		hubFallback({ composite, mesh, open, waitMs: 1000 });
		vi.advanceTimersByTime(999);
		expect(opened).toEqual([]);
		vi.advanceTimersByTime(1);
		expect(opened).toEqual(['socket']);
		expect(composite.peers()).toEqual(['hub']);
		vi.advanceTimersByTime(5000);
		expect(opened).toEqual(['socket']); // once
	});

	it('does not open it while the mesh reaches a hub; the predicate decides which peers are hubs', () => {
		const { webrtc, mesh, composite, open, opened } = setup();
		webrtc.join('colleague');
		webrtc.join('hub-rtc');
		hubFallback({ composite, mesh, open, waitMs: 1000, isHub: (p) => p === 'hub-rtc' });
		vi.advanceTimersByTime(3000);
		expect(opened).toEqual([]);
		webrtc.unlink('browser', 'hub-rtc'); // a colleague is left, no hub
		vi.advanceTimersByTime(1000);
		expect(opened).toEqual(['socket']);
	});

	it('opens at once when told (WebRTC blocked), and stops with the composite or its dispose', async () => {
		const a = setup();
		hubFallback({ composite: a.composite, mesh: a.mesh, open: a.open, now: true });
		expect(a.opened).toEqual(['socket']);
		const b = setup();
		hubFallback({ composite: b.composite, mesh: b.mesh, open: b.open, waitMs: 1000 });
		await b.composite.destroy();
		vi.advanceTimersByTime(5000);
		expect(b.opened).toEqual([]);
		const c = setup();
		const stop = hubFallback({ composite: c.composite, mesh: c.mesh, open: c.open, waitMs: 1000 });
		stop();
		vi.advanceTimersByTime(5000);
		expect(c.opened).toEqual([]);
	});
});
