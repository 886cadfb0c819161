// Single-key shortcuts (`/`, `?`, `E`) act only when the agent is not typing: in a field, a select or
// the editor, the key is text.

/** Whether the event comes from somewhere the agent types (an input, a text area, a select, an
 *  editable element). */
export function isTyping(event: KeyboardEvent): boolean {
	const target = event.target as HTMLElement | null;
	return !!target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** Whether the event is `key` pressed alone (no Ctrl, Meta or Alt) outside anything one types in. */
export function isBareKey(event: KeyboardEvent, key: string): boolean {
	return (
		!isTyping(event) &&
		!event.ctrlKey &&
		!event.metaKey &&
		!event.altKey &&
		event.key.toLowerCase() === key.toLowerCase()
	);
}
