// Short confirmations after an action, with "Undo" when the action can be taken back (archive,
// delete). One at a time: a newer action replaces the older message.
export interface Toast {
	id: number;
	message: string;
	undo?: () => Promise<void> | void;
}

export class Toasts {
	current = $state.raw<Toast | null>(null);
	#next = 1;
	#timer: ReturnType<typeof setTimeout> | undefined;

	/** Shows a message for `ms` (longer when it offers undo, so there is time to use it). */
	show(message: string, undo?: Toast['undo'], ms = undo ? 10_000 : 4_000): void {
		clearTimeout(this.#timer);
		this.current = { id: this.#next++, message, ...(undo ? { undo } : {}) };
		this.#timer = setTimeout(() => this.dismiss(), ms);
	}

	async undo(): Promise<void> {
		const toast = this.current;
		this.dismiss();
		await toast?.undo?.();
	}

	dismiss(): void {
		clearTimeout(this.#timer);
		this.current = null;
	}

	destroy(): void {
		this.dismiss();
	}
}
