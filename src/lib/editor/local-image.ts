// Tiptap's image node, drawn so that a remote image is never fetched: a source of another origin
// (typed as `![alt](http://…)`, or arriving from a peer) becomes a text placeholder with its alt text
// and URL; data: and same-origin images render as images. The node and its attributes are kept as
// they are in the document: only what the browser is given to load changes.
import { mergeAttributes } from '@tiptap/core';
import Image from '@tiptap/extension-image';
import { loadableImageSrc } from '../domain/image-source';

const pageOrigin = (): string => globalThis.location?.origin ?? '';

export const LocalImage = Image.extend({
	renderHTML({ node, HTMLAttributes }) {
		const src = loadableImageSrc(node.attrs.src, pageOrigin());
		if (src) return ['img', mergeAttributes(this.options.HTMLAttributes, HTMLAttributes, { src })];
		const alt = typeof node.attrs.alt === 'string' ? node.attrs.alt.trim() : '';
		const url = typeof node.attrs.src === 'string' ? node.attrs.src : '';
		return [
			'div',
			{ class: 'image-not-loaded', 'data-src': url, title: url },
			...(alt ? [['span', { class: 'image-not-loaded-alt' }, alt], ' '] : []),
			['span', { class: 'image-not-loaded-url' }, url]
		];
	}
});
