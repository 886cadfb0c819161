// Pasted HTML in a real browser: Word's clipboard HTML becomes plain structure (headings, lists,
// tables), a hostile web page loses everything active or remote, and image size limits hold.
import { describe, expect, it } from 'vitest';
import {
	dataUrlBytes,
	ImageTooLargeError,
	MAX_IMAGE_BYTES,
	readImageFile,
	sanitizePastedHtml,
	UnsupportedImageError
} from '../../src/lib/editor/sanitize-paste';

// A 1×1 transparent PNG.
const PNG_BASE64 =
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const PNG_BYTES = Uint8Array.from(atob(PNG_BASE64), (c) => c.charCodeAt(0));
const smallPng = `data:image/png;base64,${PNG_BASE64}`;
/** A data URL whose decoded payload is `bytes` long (a PNG header, then zeros). */
function pngDataUrl(bytes: number): string {
	const raw = new Uint8Array(bytes);
	raw.set(PNG_BYTES.slice(0, 8));
	let binary = '';
	for (let i = 0; i < raw.length; i += 0x8000) binary += String.fromCharCode(...raw.subarray(i, i + 0x8000));
	return `data:image/png;base64,${btoa(binary)}`;
}

const WORD = `<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=Generator content="Microsoft Word 15 (filtered)">
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View><w:Zoom>0</w:Zoom><w:TrackMoves>false</w:TrackMoves></w:WordDocument></xml><![endif]-->
<style><!-- p.MsoNormal {mso-style-parent:""; margin:0cm; font-size:11.0pt;} @list l0:level1 {mso-level-number-format:bullet;} --></style></head>
<body lang=FR style='tab-interval:35.4pt'>
<!--StartFragment-->
<p class=MsoTitle>Compte bloqué<o:p></o:p></p>
<p class=MsoHeading2 style='mso-outline-level:2'>Vérifications<o:p></o:p></p>
<p class=MsoNormal><span style='font-size:11.0pt;mso-bidi-font-family:Calibri'>Avant de débloquer, vérifier <b>l’identité</b> du client.<o:p></o:p></span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;mso-fareast-font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>Contrôle de niveau 2<o:p></o:p></p>
<p class=MsoListParagraphCxSpMiddle style='margin-left:72.0pt;text-indent:-18.0pt;mso-list:l0 level2 lfo1'><![if !supportLists]><span style='font-family:"Courier New"'><span style='mso-list:Ignore'>o<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]>Question dynamique<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><!--[if !supportLists]--><span style='font-family:Symbol'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp; </span></span><!--[endif]-->Journal de connexion<o:p></o:p></p>
<p class=MsoNormal>Ensuite :<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span><span style='mso-list:Ignore'>1.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]>Lever le blocage<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span><span style='mso-list:Ignore'>2.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]>Consigner l’appel<o:p></o:p></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;mso-yfti-tbllook:1184'>
<tr style='mso-yfti-irow:0'><td width=302 valign=top style='width:226.55pt;border:solid windowtext 1.0pt'><p class=MsoNormal><b>Code</b><o:p></o:p></p></td><td width=302 valign=top><p class=MsoNormal><b>Sens</b><o:p></o:p></p></td></tr>
<tr><td width=302 valign=top><p class=MsoNormal>BLQ-TMP<o:p></o:p></p></td><td width=302 valign=top><p class=MsoNormal>Suspension 30 min<o:p></o:p></p></td></tr>
</table>
<p class=MsoNormal><!--[if gte vml 1]><v:shape id="Image_x0020_1" type="#_x0000_t75"><v:imagedata src="file:///C:/Users/agent/AppData/Local/Temp/msohtmlclip1/01/clip_image001.png" o:title=""/></v:shape><![endif]--><![if !vml]><img width=120 height=40 src="file:///C:/Users/agent/AppData/Local/Temp/msohtmlclip1/01/clip_image002.png" v:shapes="Image_x0020_1"><![endif]><o:p></o:p></p>
<!--EndFragment-->
</body></html>`;

const WEB = `<html><head><title>Page</title><link rel=stylesheet href="https://cdn.example/site.css"><style>body{color:red}</style>
<script>window.stolen = document.cookie</script></head><body>
<h2 class="title" style="color:red" onclick="alert(1)">Frais de courtage</h2>
<p onmouseover="steal()">Voir <a href="javascript:alert(1)">ce lien</a>, <a href="https://banque.example/tarifs" target="_blank" onclick="track()">la grille</a>,
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">ceci</a> et <a href="mailto:support@banque.example">le support</a>.</p>
<iframe src="https://ads.example/frame"></iframe>
<object data="movie.swf"></object><form action="https://evil.example"><input name="q"><button>Go</button></form>
<img src="https://cdn.example/photo.jpg" alt="Photo">
<img src="https://tracker.example/pixel.gif" width="1" height="1" style="display:none">
<img src="${smallPng}" alt="Schéma" onerror="alert(1)">
<img src="${pngDataUrl(MAX_IMAGE_BYTES + 1)}" alt="Trop lourd">
<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+PC9zdmc+" alt="SVG">
<table><thead><tr><th colspan="2">Ordre</th></tr></thead><tbody><tr><td>Au marché</td><td class="x">0,5 %</td></tr></tbody></table>
<ul><li><em>un</em></li><li><u>deux</u> <s>trois</s></li></ul><blockquote><p>Citation</p></blockquote><pre><code>ATL-42</code></pre><hr>
</body></html>`;

function parse(html: string): HTMLElement {
	const root = document.createElement('template');
	root.innerHTML = html;
	const div = document.createElement('div');
	div.append(root.content.cloneNode(true));
	return div;
}

describe('sanitizePastedHtml: Word', () => {
	const out = sanitizePastedHtml(WORD);
	const root = parse(out.html);

	it('keeps the text and structure, without Word’s styles, classes, XML, comments or o:p', () => {
		expect(out.html).not.toMatch(
			/mso-|class=|style=|<o:p|<xml|<!--|WordDocument|Normal<|<span|<meta|<style/i
		);
		expect(root.textContent).not.toContain('false');
		expect(root.querySelector('p')!.innerHTML).toBe(
			'Avant de débloquer, vérifier <b>l’identité</b> du client.'
		);
	});

	it('turns Word’s title and heading paragraphs into headings', () => {
		expect([...root.querySelectorAll('h1, h2')].map((h) => `${h.tagName}:${h.textContent}`)).toEqual([
			'H1:Compte bloqué',
			'H2:Vérifications'
		]);
	});

	it('turns list paragraphs into bullet and numbered lists, nested by level, markers removed', () => {
		const lists = [...root.children].filter((e) => e.tagName === 'UL' || e.tagName === 'OL');
		expect(lists.map((l) => l.tagName)).toEqual(['UL', 'OL']);
		const [ul, ol] = lists as [HTMLElement, HTMLElement];
		expect(ul.querySelectorAll(':scope > li')).toHaveLength(2);
		expect(ul.querySelector(':scope > li')!.firstChild!.textContent).toBe('Contrôle de niveau 2');
		expect(ul.querySelector(':scope > li > ul > li')!.textContent).toBe('Question dynamique');
		expect(ul.querySelector(':scope > li:last-child')!.textContent).toBe('Journal de connexion');
		expect([...ol.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
			'Lever le blocage',
			'Consigner l’appel'
		]);
		expect(root.textContent).not.toMatch(/·|\u00a0{2}/);
		// The paragraph between the two lists stays between them.
		expect(ul.nextElementSibling!.textContent).toBe('Ensuite :');
	});

	it('keeps the table, drops the empty padding paragraph and the local file image', () => {
		expect([...root.querySelectorAll('td')].map((td) => td.textContent)).toEqual([
			'Code',
			'Sens',
			'BLQ-TMP',
			'Suspension 30 min'
		]);
		expect(root.querySelector('td')!.attributes.length).toBe(0);
		expect(root.querySelector('img')).toBeNull();
		expect(out.droppedRemoteImages).toBe(1);
		expect([...root.querySelectorAll('p')].every((p) => p.textContent!.trim() !== '')).toBe(true);
	});
});

describe('sanitizePastedHtml: a web page', () => {
	const out = sanitizePastedHtml(WEB);
	const root = parse(out.html);

	it('removes scripts, handlers, styles, classes, frames, objects, forms and head content', () => {
		expect(out.html).not.toMatch(
			/<script|<iframe|<object|<form|<input|<button|<link|<style|<title|onclick|onmouseover|onerror|style=|class=|target=|alert|stolen/i
		);
		expect(root.querySelector('h2')!.outerHTML).toBe('<h2>Frais de courtage</h2>');
	});

	it('keeps http(s) and mailto links, and turns javascript: and data: links into plain text', () => {
		expect([...root.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual([
			'https://banque.example/tarifs',
			'mailto:support@banque.example'
		]);
		expect(root.textContent).toContain('Voir ce lien, la grille,');
		expect(root.textContent).toContain('ceci et le support.');
	});

	it('drops remote images and tracking pixels, keeps a small data image, refuses an oversized or SVG one', () => {
		const imgs = [...root.querySelectorAll('img')];
		expect(imgs.map((i) => [i.getAttribute('src'), i.getAttribute('alt')])).toEqual([[smallPng, 'Schéma']]);
		expect(out.droppedRemoteImages).toBe(2);
		expect(out.refusedImages).toBe(2);
	});

	it('keeps tables, lists, quotes, code and inline marks', () => {
		expect(root.querySelector('th')!.outerHTML).toBe('<th colspan="2">Ordre</th>');
		expect(root.querySelectorAll('thead tr, tbody tr')).toHaveLength(2);
		expect(root.querySelector('ul')!.innerHTML).toBe('<li><em>un</em></li><li><u>deux</u> <s>trois</s></li>');
		expect(root.querySelector('blockquote p')!.textContent).toBe('Citation');
		expect(root.querySelector('pre code')!.textContent).toBe('ATL-42');
		expect(root.querySelector('hr')).not.toBeNull();
	});

	it('applies the image limit it is given', () => {
		const html = `<p><img src="${pngDataUrl(2000)}"></p>`;
		expect(sanitizePastedHtml(html, { maxImageBytes: 1999 }).refusedImages).toBe(1);
		expect(sanitizePastedHtml(html, { maxImageBytes: 2000 })).toMatchObject({
			refusedImages: 0,
			droppedRemoteImages: 0
		});
		expect(dataUrlBytes(pngDataUrl(2000))).toBe(2000);
	});
});

describe('readImageFile', () => {
	it('reads a small PNG as a data URL', async () => {
		const url = await readImageFile(new File([PNG_BYTES], 'capture.png', { type: 'image/png' }));
		expect(url).toBe(smallPng);
	});

	it('refuses an image over the limit with its size and the limit', async () => {
		const big = new File(
			[new Uint8Array(MAX_IMAGE_BYTES + 10).fill(0).map((v, i) => (i < 8 ? PNG_BYTES[i]! : v))],
			'big.png',
			{ type: 'image/png' }
		);
		const error = await readImageFile(big).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ImageTooLargeError);
		expect(error).toMatchObject({ size: MAX_IMAGE_BYTES + 10, limit: MAX_IMAGE_BYTES });
	});

	it('refuses a file that is not an image it takes, whatever its declared type', async () => {
		await expect(
			readImageFile(new File(['bonjour'], 'notes.txt', { type: 'text/plain' }))
		).rejects.toBeInstanceOf(UnsupportedImageError);
		await expect(
			readImageFile(new File(['<svg onload="alert(1)"/>'], 'x.png', { type: 'image/png' }))
		).rejects.toBeInstanceOf(UnsupportedImageError);
	});
});
