import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/lib/domain/format';

describe('formatBytes', () => {
	it('writes sizes with the unit and decimal mark of each language', () => {
		expect(formatBytes(1_572_864, 'en')).toBe('1.5\u00a0MB');
		expect(formatBytes(1_572_864, 'fr')).toBe('1,5\u00a0Mo');
		expect(formatBytes(3.2 * 1024 * 1024, 'fr')).toBe('3,2\u00a0Mo');
		expect(formatBytes(2048, 'en')).toBe('2\u00a0KB');
		expect(formatBytes(512, 'fr')).toBe('512\u00a0o');
		expect(formatBytes(5 * 1024 ** 3, 'en')).toBe('5\u00a0GB');
	});
});
