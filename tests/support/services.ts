// Where tests and benchmarks find the PostgreSQL and Redis services a hub's distributed mode uses
// (.ci/run starts them). Every run works in names of its own, so parallel runs never collide.
import { randomBytes } from 'node:crypto';

export const testDatabaseUrl =
	process.env.PLATEAU_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const testRedisUrl = process.env.PLATEAU_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A name no other run uses: a PostgreSQL schema or a Redis key prefix. */
export function uniqueName(prefix: string): string {
	return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}
