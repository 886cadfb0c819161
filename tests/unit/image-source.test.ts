// Which image sources an article body may load (domain/image-source.ts): data: images and this
// origin's images only; any remote source, however it is spelt, is refused.
import { describe, expect, it } from 'vitest';
import { loadableImageSrc } from '../../src/lib/domain/image-source';

const origin = 'https://plateau.example.org';

describe('loadableImageSrc', () => {
	it('keeps data: images and images of the page origin', () => {
		expect(loadableImageSrc('data:image/png;base64,iVBORw0KGgo=', origin)).toBe(
			'data:image/png;base64,iVBORw0KGgo='
		);
		expect(loadableImageSrc('/images/map.png', origin)).toBe(`${origin}/images/map.png`);
		expect(loadableImageSrc(`${origin}/a.png`, origin)).toBe(`${origin}/a.png`);
		expect(loadableImageSrc(`blob:${origin}/1b6c-44`, origin)).toBe(`blob:${origin}/1b6c-44`);
	});

	it('refuses every source of another origin', () => {
		for (const src of [
			'http://127.0.0.1:9999/pixel.png',
			'https://tracker.example/p.gif',
			'//tracker.example/p.gif',
			' HTTPS://tracker.example/p.gif',
			'http://plateau.example.org/a.png', // same host, other scheme: another origin
			'https://plateau.example.org:8443/a.png',
			'blob:https://tracker.example/1b6c',
			'file:///etc/passwd',
			'cid:image001',
			'javascript:alert(1)',
			'data:text/html,<script>alert(1)</script>'
		])
			expect(loadableImageSrc(src, origin), src).toBeUndefined();
	});

	it('refuses what is not a string, and anything but data: without a known origin', () => {
		expect(loadableImageSrc(undefined, origin)).toBeUndefined();
		expect(loadableImageSrc(42, origin)).toBeUndefined();
		expect(loadableImageSrc('/a.png', '')).toBeUndefined();
		expect(loadableImageSrc('data:image/gif;base64,R0lGOD==', '')).toBe('data:image/gif;base64,R0lGOD==');
	});
});
