// How a colleague's caret and selection look: a coloured bar with their name above it.
import type { DecorationAttrs } from '@tiptap/pm/view';

export function renderCaret(user: Record<string, unknown>): HTMLElement {
	const color = safeColor(user.color);
	const caret = document.createElement('span');
	caret.className = 'collab-caret';
	caret.style.borderColor = color;
	caret.setAttribute('aria-hidden', 'true');
	const label = document.createElement('span');
	label.className = 'collab-caret-label';
	label.style.backgroundColor = color;
	// textContent, never HTML: the name comes from a peer.
	label.textContent = typeof user.name === 'string' ? user.name.slice(0, 60) : '?';
	caret.append(label);
	return caret;
}

export function renderSelection(user: Record<string, unknown>): DecorationAttrs {
	return {
		nodeName: 'span',
		class: 'collab-selection',
		style: `background-color: ${safeColor(user.color)}33`
	};
}

/** A peer's colour is used in a style attribute: accept only #rrggbb. */
export function safeColor(value: unknown): string {
	return typeof value === 'string' && /^#[0-9a-f]{6}$/i.test(value) ? value : '#6b7280';
}

/** A stable colour per agent, from a palette readable with white text (WCAG AA). */
export function agentColor(agentId: string): string {
	const palette = [
		'#1d4ed8',
		'#b91c1c',
		'#047857',
		'#7c3aed',
		'#c2410c',
		'#0f766e',
		'#be185d',
		'#4d7c0f',
		'#1e40af',
		'#9d174d'
	];
	let h = 0;
	for (const ch of agentId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
	return palette[h % palette.length]!;
}
