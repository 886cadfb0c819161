/** A value from outside (a peer, storage, a form) that does not have the shape Plateau needs. */
export class ValidationError extends Error {
	constructor(
		readonly field: string,
		readonly problem: string
	) {
		super(`${field}: ${problem}`);
		this.name = 'ValidationError';
	}
}

export function requireString(value: unknown, field: string, { min = 1, max = 500 } = {}): string {
	if (typeof value !== 'string') throw new ValidationError(field, 'must be text');
	const trimmed = value.trim();
	if (trimmed.length < min)
		throw new ValidationError(field, min === 1 ? 'is required' : `needs at least ${min} characters`);
	if (trimmed.length > max) throw new ValidationError(field, `must be at most ${max} characters`);
	return trimmed;
}

export function optionalString(value: unknown, field: string, max = 500): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	return requireString(value, field, { max });
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
	throw new ValidationError(field, `must be one of ${allowed.join(', ')}`);
}

export function requireStringList(value: unknown, field: string, { max = 50, itemMax = 80 } = {}): string[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) throw new ValidationError(field, 'must be a list');
	if (value.length > max) throw new ValidationError(field, `must hold at most ${max} items`);
	return value.map((item, i) => requireString(item, `${field}[${i}]`, { max: itemMax }));
}

export function requireTimestamp(value: unknown, field: string): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
		throw new ValidationError(field, 'must be a time in milliseconds');
	return value;
}

/** Ids are lowercase ASCII words joined by dots, dashes or underscores: safe in URLs and keys. */
const ID = /^[a-z0-9][a-z0-9._-]{0,127}$/;

export function requireId(value: unknown, field: string): string {
	if (typeof value !== 'string' || !ID.test(value))
		throw new ValidationError(field, 'must be an id (a-z, 0-9, . _ -)');
	return value;
}
