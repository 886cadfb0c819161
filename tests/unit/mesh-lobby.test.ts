// Lobby shards (src/lib/net/mesh-lobby.ts): nested by level, the next level fitted to the relay's
// count, and the other shards a joiner tries when its own did not answer.
import { describe, expect, it } from 'vitest';
import {
	hubsTopic,
	lobbyTopic,
	nextLevel,
	ownLobbies,
	shardIndex,
	siblingTopic
} from '../../src/lib/net/mesh-lobby';

const ids = Array.from({ length: 2000 }, (_, i) => `peer-${i}`);

describe('lobby shards', () => {
	it('nests: a shard at one level is half of its shard one level up', () => {
		for (const id of ids.slice(0, 200))
			for (let level = 2; level <= 6; level++)
				expect(shardIndex(id, level) % 2 ** (level - 1)).toBe(shardIndex(id, level - 1));
	});

	it('spreads peers evenly over the shards', () => {
		const counts = new Array<number>(64).fill(0);
		for (const id of ids) counts[shardIndex(id, 6)]!++;
		// 2,000 peers over 64 shards: 31 each on average; none empty, none more than twice that.
		expect(Math.min(...counts)).toBeGreaterThan(10);
		expect(Math.max(...counts)).toBeLessThan(63);
	});

	it('names one topic per level, apart from inboxes and the hubs topic', () => {
		const own = ownLobbies('plateau:c', 'peer-1', 6);
		expect([...own.values()]).toEqual([1, 2, 3, 4, 5, 6]);
		expect(own.has(lobbyTopic('plateau:c', 3, shardIndex('peer-1', 3)))).toBe(true);
		expect(own.has(hubsTopic('plateau:c'))).toBe(false);
		expect(ownLobbies('plateau:c', 'peer-1', 0).size).toBe(0);
	});

	it('moves up to the level whose shards should hold the peers sought', () => {
		// 40 peers: a level-6 shard holds ~0.6 of them, a level-3 one ~5.
		expect(nextLevel(6, 0, 5)).toBe(3); // nobody: three levels up at least
		expect(nextLevel(6, 1, 5)).toBe(3); // ~64 peers: shards of 8 at level 3
		expect(nextLevel(3, 3, 5)).toBe(2); // ~24 peers: shards of 6 at level 2
		expect(nextLevel(3, 0, 5)).toBe(0); // a small centre: the centre topic
		expect(nextLevel(2, 1, 5)).toBe(0);
		// Always at least one level up, never below 0.
		expect(nextLevel(6, 4, 5)).toBe(5);
		expect(nextLevel(1, 0, 1)).toBe(0);
	});

	it('tries other shards of the same level, never its own', () => {
		const own = lobbyTopic('plateau:c', 3, shardIndex('peer-7', 3));
		const tried = [1, 2, 3].map((round) => siblingTopic('plateau:c', 'peer-7', 3, round));
		expect(new Set([own, ...tried]).size).toBe(4);
		expect(siblingTopic('plateau:c', 'peer-7', 1, 1)).not.toBe(
			lobbyTopic('plateau:c', 1, shardIndex('peer-7', 1))
		);
	});
});
