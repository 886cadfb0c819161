// The slash menu's visible state: the matching commands, the highlighted one and where to show it.
import type { BlockCommand } from '../editor/block-commands';
import type { SlashMenuHost } from '../editor/slash-menu';

export class SlashMenuState implements SlashMenuHost {
	open = $state(false);
	items = $state.raw<BlockCommand[]>([]);
	index = $state(0);
	rect = $state.raw<{ left: number; top: number; bottom: number } | null>(null);
	#choose: ((item: BlockCommand) => void) | undefined;

	show(items: BlockCommand[], rect: DOMRect | null, choose: (item: BlockCommand) => void): void {
		const sameItems = items.length === this.items.length && items.every((c, i) => c === this.items[i]);
		this.items = items;
		if (!sameItems) this.index = 0;
		this.rect = rect ? { left: rect.left, top: rect.top, bottom: rect.bottom } : null;
		this.#choose = choose;
		this.open = true;
	}

	hide(): void {
		this.open = false;
		this.items = [];
		this.#choose = undefined;
	}

	key(event: KeyboardEvent): boolean {
		if (!this.open || !this.items.length) return false;
		if (event.key === 'ArrowDown') this.index = (this.index + 1) % this.items.length;
		else if (event.key === 'ArrowUp') this.index = (this.index - 1 + this.items.length) % this.items.length;
		else if (event.key === 'Enter' || event.key === 'Tab') this.choose(this.index);
		else return false;
		return true;
	}

	choose(index: number): void {
		const item = this.items[index];
		if (item) this.#choose?.(item);
	}
}
