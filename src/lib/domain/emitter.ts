// The one event emitter and disposal stack of Plateau. Every subscription returns its unsubscribe
// function (as in tldraw's sync-core), and an object that subscribes to others keeps those functions
// in a Disposer, so its destroy() is one call that undoes everything it set up. Pure TypeScript: any
// layer may use it.

/** Undoes one thing (an unsubscribe, a timer cleared, a resource closed). */
export type Dispose = () => void;

/** Small typed event emitter. */
export class Emitter<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
	readonly #listeners = new Map<keyof Events, Set<(...args: never[]) => void>>();

	/** Subscribes; returns the unsubscribe function. */
	on<E extends keyof Events>(event: E, listener: Events[E]): Dispose {
		let set = this.#listeners.get(event);
		if (!set) this.#listeners.set(event, (set = new Set()));
		set.add(listener);
		return () => {
			set.delete(listener);
		};
	}

	/** Calls every listener of the event; a listener added or removed during the call is not
	 *  called or still called, respectively, this time (the set is copied first). */
	emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
		const set = this.#listeners.get(event);
		if (!set || set.size === 0) return;
		for (const listener of [...set]) (listener as (...a: Parameters<Events[E]>) => void)(...args);
	}

	/** How many listeners are subscribed (all events together): tests check that destroy() released
	 *  them. */
	count(): number {
		let n = 0;
		for (const set of this.#listeners.values()) n += set.size;
		return n;
	}

	clear(): void {
		this.#listeners.clear();
	}
}

/** A stack of things to undo, run last-in first-out by dispose(). Adding to a disposed stack runs the
 *  function at once, so a subscription made after teardown (an async step finishing late) is not
 *  leaked. */
export class Disposer {
	#stack: Dispose[] = [];
	#disposed = false;

	get disposed(): boolean {
		return this.#disposed;
	}

	/** Keeps one or more undo functions. */
	add(...fns: Dispose[]): void {
		if (this.#disposed) {
			for (const fn of fns) fn();
			return;
		}
		this.#stack.push(...fns);
	}

	/** Runs every undo function once, newest first; an exception in one does not stop the others
	 *  (the first is rethrown at the end). */
	dispose(): void {
		if (this.#disposed) return;
		this.#disposed = true;
		let failure: unknown;
		let failed = false;
		for (const fn of this.#stack.reverse()) {
			try {
				fn();
			} catch (error) {
				if (!failed) [failure, failed] = [error, true];
			}
		}
		this.#stack = [];
		if (failed) throw failure;
	}
}
