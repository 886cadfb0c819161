// Safe paste: HTML from Word or a web page goes through the sanitizer before ProseMirror parses it
// (structure kept; scripts, handlers, styles and remote images gone); pasted or dropped image files
// are stored in the document as data URLs up to MAX_IMAGE_BYTES, and a larger one is refused.
import { Extension } from '@tiptap/core';
import { Plugin, PluginKey } from '@tiptap/pm/state';
import type { EditorView } from '@tiptap/pm/view';
import { ImageTooLargeError, MAX_IMAGE_BYTES, readImageFile, sanitizePastedHtml } from './sanitize-paste';

export type PasteNotice =
	| { kind: 'imageTooLarge'; size: number; limit: number }
	| { kind: 'imagesRefused'; count: number; limit: number }
	| { kind: 'remoteImagesDropped'; count: number }
	| { kind: 'unsupportedImage'; type: string };

export interface SafePasteOptions {
	onNotice: (notice: PasteNotice) => void;
}

/** Every pasted or dropped file: non-images are refused with a notice rather than ignored. */
function imageFiles(data: DataTransfer | null): File[] {
	return [...(data?.files ?? [])];
}

async function insertImages(
	view: EditorView,
	files: File[],
	at: number | null,
	notify: (n: PasteNotice) => void
): Promise<void> {
	for (const file of files) {
		let src: string;
		try {
			src = await readImageFile(file);
		} catch (err: unknown) {
			if (err instanceof ImageTooLargeError)
				notify({ kind: 'imageTooLarge', size: err.size, limit: err.limit });
			else notify({ kind: 'unsupportedImage', type: file.type || file.name });
			continue;
		}
		const image = view.state.schema.nodes.image;
		if (!image || view.isDestroyed) return;
		const pos = at ?? view.state.selection.from;
		view.dispatch(view.state.tr.insert(Math.min(pos, view.state.doc.content.size), image.create({ src })));
	}
}

export const SafePaste = Extension.create<SafePasteOptions>({
	name: 'safePaste',
	addOptions: () => ({ onNotice: () => {} }),
	addProseMirrorPlugins() {
		const notify = (n: PasteNotice) => this.options.onNotice(n);
		return [
			new Plugin({
				key: new PluginKey('plateau-safe-paste'),
				props: {
					transformPastedHTML(html) {
						const clean = sanitizePastedHtml(html);
						if (clean.refusedImages)
							notify({ kind: 'imagesRefused', count: clean.refusedImages, limit: MAX_IMAGE_BYTES });
						if (clean.droppedRemoteImages)
							notify({ kind: 'remoteImagesDropped', count: clean.droppedRemoteImages });
						return clean.html;
					},
					handlePaste(view, event) {
						const data = event.clipboardData;
						// With HTML on the clipboard the files are usually a rendering of it (Word): use the HTML.
						if (!data || data.getData('text/html')) return false;
						const files = imageFiles(data);
						if (!files.length) return false;
						void insertImages(view, files, null, notify);
						return true;
					},
					handleDrop(view, event) {
						const files = imageFiles((event as DragEvent).dataTransfer);
						if (!files.length) return false;
						const at = view.posAtCoords({ left: event.clientX, top: event.clientY })?.pos ?? null;
						void insertImages(view, files, at, notify);
						return true;
					}
				}
			})
		];
	}
});

/** Inserts an image file picked by the agent (toolbar, slash menu). */
export function insertImageFile(
	view: EditorView,
	file: File,
	notify: (n: PasteNotice) => void
): Promise<void> {
	return insertImages(view, [file], null, notify);
}
