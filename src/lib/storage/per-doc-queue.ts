// Operations on one document run in the order they were called (a remove then an append must not
// land the other way round), while different documents proceed in parallel. Shared by the Node
// storage adapters (file system, PostgreSQL), whose operations are several awaits long.

export class PerDocQueue {
	readonly #tails = new Map<string, Promise<void>>();

	/** Runs `op` after every earlier operation on the same document; its result, or its error. */
	run<T>(docId: string, op: () => Promise<T>): Promise<T> {
		const result = (this.#tails.get(docId) ?? Promise.resolve()).then(op);
		const tail = result.then(
			() => undefined,
			() => undefined
		);
		this.#tails.set(docId, tail);
		void tail.then(() => {
			if (this.#tails.get(docId) === tail) this.#tails.delete(docId);
		});
		return result;
	}

	/** Resolves once the operations already queued on these documents (all, by default) are done. */
	async settled(docIds?: readonly string[]): Promise<void> {
		const tails = docIds ? docIds.map((id) => this.#tails.get(id)) : [...this.#tails.values()];
		await Promise.all(tails);
	}
}
