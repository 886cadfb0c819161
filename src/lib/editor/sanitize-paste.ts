// What the editor keeps of pasted HTML (Word, web pages, mail): the structure its schema supports, no
// scripts, styles or handlers, no image that would be fetched from elsewhere, no image too big to sync.
// Browser code: it parses with DOMParser (an inert document: nothing loads or runs) and DOMPurify.
import DOMPurify from 'dompurify';

/** Largest image kept, decoded. An article holding one such image (base64 grows it by a third, to
 *  2 MiB of text) stays within the 2 MB documents the sync layer is tested with. */
export const MAX_IMAGE_BYTES = 1_572_864;

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

const ALLOWED_TAGS = [
	'p',
	'h1',
	'h2',
	'h3',
	'h4',
	'h5',
	'h6',
	'strong',
	'b',
	'em',
	'i',
	'u',
	's',
	'a',
	'ul',
	'ol',
	'li',
	'table',
	'thead',
	'tbody',
	'tr',
	'th',
	'td',
	'blockquote',
	'pre',
	'code',
	'br',
	'hr',
	'img'
];
const ALLOWED_ATTR = ['href', 'src', 'alt', 'colspan', 'rowspan', 'start'];
/** Removed with everything inside them (DOMPurify would otherwise keep their text). */
const DROP_WITH_CONTENT =
	'script, style, meta, link, title, xml, iframe, object, embed, form, template, noscript, svg, math, head';
const SAFE_LINK = /^(https?:|mailto:)/i;
const DATA_IMAGE = /^data:(image\/[a-z0-9.+-]+)(;[^,]*)?,/i;

export interface SanitizedPaste {
	html: string;
	/** Data-URL images left out: larger than the limit, or of a type the editor does not take (SVG…). */
	refusedImages: number;
	/** Images pointing elsewhere (http(s), file:, cid:…): Plateau works offline and fetches nothing. */
	droppedRemoteImages: number;
}

export function sanitizePastedHtml(
	html: string,
	limits: { maxImageBytes: number } = { maxImageBytes: MAX_IMAGE_BYTES }
): SanitizedPaste {
	const doc = new DOMParser().parseFromString(html, 'text/html');
	const body = doc.body;
	for (const el of [...doc.querySelectorAll(DROP_WITH_CONTENT)]) el.remove();
	// Word's structure is read from its classes, styles and comments: before any of them goes.
	wordHeadings(body);
	wordLists(body);
	removeComments(doc);
	// Google Docs wraps a whole paste in <b style="font-weight:normal">: not bold at all.
	for (const b of [...body.querySelectorAll('b')])
		if (/font-weight:\s*(normal|400)/i.test(b.getAttribute('style') ?? '')) unwrap(b);

	let refusedImages = 0;
	let droppedRemoteImages = 0;
	for (const img of [...body.querySelectorAll('img')]) {
		const src = img.getAttribute('src')?.trim() ?? '';
		const data = src.match(DATA_IMAGE);
		if (!data) {
			// A source-less <img> is not an image anyone meant to paste; everything else points elsewhere.
			if (src) droppedRemoteImages++;
			img.remove();
		} else if (
			!(IMAGE_TYPES as readonly string[]).includes(data[1]!.toLowerCase()) ||
			dataUrlBytes(src) > limits.maxImageBytes
		) {
			refusedImages++;
			img.remove();
		}
	}
	for (const a of [...body.querySelectorAll('a')]) {
		const href = a.getAttribute('href')?.trim() ?? '';
		if (!SAFE_LINK.test(href)) unwrap(a);
	}
	dropEmptyParagraphs(body);

	// DOMPurify parses the string into its own inert document and returns a string: nothing pasted
	// ever becomes an element of the live page here.
	const clean = DOMPurify.sanitize(body.innerHTML, {
		ALLOWED_TAGS,
		ALLOWED_ATTR,
		KEEP_CONTENT: true,
		ALLOW_DATA_ATTR: false,
		ALLOW_ARIA_ATTR: false
	});
	return { html: clean.trim(), refusedImages, droppedRemoteImages };
}

/** Decoded size of a base64 (or percent-encoded) data URL. */
export function dataUrlBytes(url: string): number {
	const comma = url.indexOf(',');
	const meta = url.slice(0, comma);
	const payload = url.slice(comma + 1);
	if (/;base64$/i.test(meta)) {
		const clean = payload.replace(/[^A-Za-z0-9+/=]/g, '');
		const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
		return Math.floor((clean.length * 3) / 4) - padding;
	}
	return decodeURIComponent(payload).length;
}

function removeComments(doc: Document): void {
	// Word's conditional comments (<!--[if …]>…<![endif]-->) carry VML and XML the editor cannot use.
	const walker = doc.createTreeWalker(doc, NodeFilter.SHOW_COMMENT);
	const comments: Node[] = [];
	while (walker.nextNode()) comments.push(walker.currentNode);
	for (const c of comments) c.parentNode?.removeChild(c);
}

function rename(el: Element, tag: string): Element {
	const replacement = el.ownerDocument.createElement(tag);
	replacement.append(...el.childNodes);
	el.replaceWith(replacement);
	return replacement;
}

function unwrap(el: Element): void {
	el.replaceWith(...el.childNodes);
}

/** Word's paragraph styles for titles and headings, as heading elements. */
function wordHeadings(root: HTMLElement): void {
	for (const p of [...root.querySelectorAll('p[class]')]) {
		const cls = p.getAttribute('class') ?? '';
		const heading = cls.match(/\bMsoHeading([1-6])\b/i);
		if (/\bMsoTitle\b/i.test(cls)) rename(p, 'h1');
		else if (/\bMsoSubtitle\b/i.test(cls)) rename(p, 'h2');
		else if (heading) rename(p, `h${heading[1]}`);
	}
}

interface WordItem {
	p: Element;
	level: number;
	ordered: boolean;
}

function wordListItem(node: Node): WordItem | null {
	if (!(node instanceof Element) || node.tagName !== 'P') return null;
	const style = node.getAttribute('style') ?? '';
	const cls = node.getAttribute('class') ?? '';
	const msoList = style.match(/mso-list:\s*l\d+\s+level(\d+)/i);
	if (!msoList && !/\bMsoListParagraph/i.test(cls)) return null;
	// The marker ("·", "o", "1.") sits between <![if !supportLists]> and <![endif]> (which the HTML
	// parser reads as comments), in a span styled "mso-list:Ignore", or, failing both, as leading text.
	let marker = takeSupportListsMarker(node);
	const ignored = [...node.querySelectorAll('span')].filter((s) =>
		/mso-list:\s*ignore/i.test(s.getAttribute('style') ?? '')
	);
	if (!marker.trim()) marker = ignored.map((s) => s.textContent ?? '').join('');
	for (const s of ignored) if (s.isConnected) s.remove();
	if (!marker.trim()) {
		const lead = (node.textContent ?? '').match(
			/^[\s\u00a0]*([·•▪§o\-–]|\d+[.)]|[a-z]{1,4}[.)])[\s\u00a0]+/i
		);
		if (lead) {
			marker = lead[1]!;
			stripLeadingText(node, lead[0].length);
		}
	}
	stripLeadingText(node, ((node.textContent ?? '').match(/^[\s\u00a0]*/) ?? [''])[0].length);
	return {
		p: node,
		level: msoList ? Number(msoList[1]) : 1,
		ordered: /^\s*(\d+|[a-z]{1,4})[.)]/i.test(marker.replace(/\u00a0/g, ' '))
	};
}

function takeSupportListsMarker(p: Element): string {
	const walker = p.ownerDocument.createTreeWalker(p, NodeFilter.SHOW_COMMENT);
	while (walker.nextNode()) {
		const start = walker.currentNode;
		if (!/^\[if !supportLists\]/i.test(start.textContent ?? '')) continue;
		let marker = '';
		let next = start.nextSibling;
		while (next && !(next.nodeType === Node.COMMENT_NODE && /^\[endif\]/i.test(next.textContent ?? ''))) {
			const after = next.nextSibling;
			marker += next.textContent ?? '';
			next.parentNode?.removeChild(next);
			next = after;
		}
		return marker;
	}
	return '';
}

/** Removes the first `count` characters of an element's text, across its text nodes. */
function stripLeadingText(el: Element, count: number): void {
	const walker = el.ownerDocument.createTreeWalker(el, NodeFilter.SHOW_TEXT);
	while (count > 0 && walker.nextNode()) {
		const text = walker.currentNode as Text;
		const take = Math.min(count, text.data.length);
		text.data = text.data.slice(take);
		count -= take;
	}
}

/** Runs of Word list paragraphs ("MsoListParagraph…", "mso-list:l0 level2") become ul/ol, nested by level. */
function wordLists(root: HTMLElement): void {
	const parents = new Set([...root.querySelectorAll('p')].filter(isWordList).map((p) => p.parentNode!));
	for (const parent of parents) {
		let stack: { level: number; list: Element }[] = [];
		let previousWasItem = false;
		for (const node of [...parent.childNodes]) {
			if (node.nodeType === Node.TEXT_NODE && !node.textContent!.trim()) continue;
			const item = isWordList(node) ? wordListItem(node) : null;
			if (!item) {
				stack = [];
				previousWasItem = false;
				continue;
			}
			if (!previousWasItem) stack = [];
			previousWasItem = true;
			while (stack.length && stack[stack.length - 1]!.level > item.level) stack.pop();
			let top = stack[stack.length - 1];
			if (top && top.level === item.level && (top.list.tagName === 'OL') !== item.ordered) {
				stack.pop();
				top = stack[stack.length - 1];
			}
			if (!top || top.level < item.level) {
				const list = root.ownerDocument.createElement(item.ordered ? 'ol' : 'ul');
				const host = top?.list.lastElementChild;
				if (host) host.append(list);
				else item.p.before(list);
				stack.push({ level: item.level, list });
				top = stack[stack.length - 1];
			}
			const li = root.ownerDocument.createElement('li');
			li.append(...item.p.childNodes);
			top!.list.append(li);
			item.p.remove();
		}
	}
}

function isWordList(node: Node): boolean {
	if (!(node instanceof Element) || node.tagName !== 'P') return false;
	return (
		/\bMsoListParagraph/i.test(node.getAttribute('class') ?? '') ||
		/mso-list:\s*l\d+\s+level\d+/i.test(node.getAttribute('style') ?? '')
	);
}

/** Word pads with <p><o:p>&nbsp;</o:p></p>: paragraphs with no text and no image or break go. */
function dropEmptyParagraphs(root: HTMLElement): void {
	for (const p of [...root.querySelectorAll('p')]) {
		if (!(p.textContent ?? '').replace(/[\s\u00a0]/g, '') && !p.querySelector('img, br')) p.remove();
	}
}

export class ImageTooLargeError extends Error {
	constructor(
		readonly size: number,
		readonly limit: number
	) {
		super(`Image of ${size} bytes exceeds the ${limit}-byte limit`);
		this.name = 'ImageTooLargeError';
	}
}

export class UnsupportedImageError extends Error {
	constructor(readonly type: string) {
		super(`Unsupported image type: ${type || 'unknown'}`);
		this.name = 'UnsupportedImageError';
	}
}

/** The image type its first bytes say, whatever the file's name or declared type claim. */
function sniffImageType(bytes: Uint8Array): string | null {
	const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
	if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
	if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
	if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
	if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.slice(8, 12)) === 'WEBP')
		return 'image/webp';
	return null;
}

/** A pasted or dropped image file as a data URL, or ImageTooLargeError / UnsupportedImageError. */
export async function readImageFile(file: File, maxBytes: number = MAX_IMAGE_BYTES): Promise<string> {
	const type = sniffImageType(new Uint8Array(await file.slice(0, 12).arrayBuffer()));
	if (!type) throw new UnsupportedImageError(file.type);
	if (file.size > maxBytes) throw new ImageTooLargeError(file.size, maxBytes);
	return new Promise((resolve, reject) => {
		const reader = new FileReader();
		reader.onload = () => resolve(reader.result as string);
		reader.onerror = () => reject(reader.error ?? new Error('Cannot read the image'));
		reader.readAsDataURL(new Blob([file], { type }));
	});
}
