// A bounded memo for pure asynchronous results (a key chain's proving key, an imported public key,
// a digest): the promise is kept, so thousands of checks started at once on one input (a fill's
// records by a handful of publishers) share a single computation. Oldest entries leave first once
// `max` is reached: an attacker sending endless new inputs costs memory up to the bound, no more.
export class Memo<V> {
	readonly #max: number;
	readonly #entries = new Map<string, Promise<V>>();

	constructor(max: number) {
		this.#max = max;
	}

	/** The result for `key`, computed by `make` the first time. A rejected computation is forgotten
	 *  (tried again next time). */
	get(key: string, make: () => Promise<V>): Promise<V> {
		const known = this.#entries.get(key);
		if (known) return known;
		const made = make();
		this.#entries.set(key, made);
		made.catch(() => this.#entries.get(key) === made && this.#entries.delete(key));
		if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
		return made;
	}

	get size(): number {
		return this.#entries.size;
	}
}
