// Which image sources an article may load. Plateau fetches nothing from elsewhere when an article
// opens: a remote image is a tracking pixel (every reader's address and reading time to a third
// party) and does not load offline anyway. Only data: images, blob: URLs of this origin and images
// of this origin are shown; any other source is rendered as text (its alt text and its URL).

const DATA_IMAGE = /^data:image\/[a-z0-9.+-]+[;,]/i;

/**
 * The source to put in an `<img>`, or undefined when the image must not be fetched.
 * `origin` is the page's own origin (`location.origin`); relative sources resolve against it.
 */
export function loadableImageSrc(src: unknown, origin: string): string | undefined {
	if (typeof src !== 'string') return undefined;
	const value = src.trim();
	if (DATA_IMAGE.test(value)) return value;
	if (!origin || origin === 'null') return undefined;
	let url: URL;
	try {
		url = new URL(value, `${origin}/`);
	} catch {
		return undefined;
	}
	if (url.protocol === 'blob:') return new URL(url.pathname).origin === origin ? value : undefined;
	if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin) return url.href;
	return undefined;
}
