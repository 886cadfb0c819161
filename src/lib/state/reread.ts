// A reader of a document that changes while it reads (the centre's roles, review intervals, synonyms):
// one read at a time; a refresh asked during a read makes it read once more when done, so the
// last read always starts after the last change. Reads never overlap, so an older result never
// lands after a newer one.
export class Reread {
	readonly #read: () => Promise<boolean | void>;
	readonly #stopped: () => boolean;
	#reading: Promise<void> | undefined;
	#again = false;

	/** `read` reads once (true: read again, whatever happened meanwhile) and checks `stopped`
	 *  itself after each wait before it applies a result. */
	constructor(read: () => Promise<boolean | void>, stopped: () => boolean) {
		this.#read = read;
		this.#stopped = stopped;
	}

	/** Resolves once a read that started after this call has ended. */
	refresh(): Promise<void> {
		if (this.#reading) {
			this.#again = true;
			return this.#reading;
		}
		this.#reading = (async () => {
			do {
				this.#again = false;
				if (await this.#read()) this.#again = true;
			} while (this.#again && !this.#stopped());
		})().finally(() => (this.#reading = undefined));
		return this.#reading;
	}
}
