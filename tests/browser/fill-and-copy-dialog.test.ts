// The fill-and-copy dialog driven from the keyboard in Chromium: fields per placeholder, values kept
// across languages, live preview, Ctrl+Enter copies and closes, and the manual fallback. The dialog
// is bits-ui's (portalled to the body): focus stays inside, Escape closes, focus goes back.
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import FillAndCopyDialog from '../../src/lib/components/article/FillAndCopyDialog.svelte';
import { render } from '../support/render.svelte';

const variants = [
	{
		locale: 'fr' as const,
		title: 'Virement refusé',
		template: 'Bonjour {{nom_client}},\n\nVotre virement de {{montant}} a été refusé.\n\n{{nom_conseiller}}'
	},
	{
		locale: 'en' as const,
		title: 'Transfer refused',
		template: 'Hello {{nom_client}},\n\nYour transfer of {{montant}} was refused.'
	}
];

const cleanups: (() => void)[] = [];
let writeText: ReturnType<typeof vi.fn>;
beforeEach(() => {
	writeText = vi.fn(async () => {});
	Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
});
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function openDialog() {
	const opener = document.createElement('button');
	opener.textContent = 'open';
	document.body.append(opener);
	opener.focus();
	const onclose = vi.fn();
	const r = render(FillAndCopyDialog, { variants, initialLocale: 'fr', open: false, onclose });
	cleanups.push(r.destroy, () => opener.remove());
	r.props.open = true;
	flushSync();
	return { ...r, opener, onclose };
}

/** The open dialog, wherever the portal put it. */
const dialogEl = () => document.querySelector<HTMLElement>('[role="dialog"]');

const preview = () => document.querySelector<HTMLElement>('[data-testid="fill-preview"]')!;

describe('FillAndCopyDialog', () => {
	it('opens as a modal labelled by its title, focus on the first field, one labelled field per placeholder', async () => {
		const r = openDialog();
		const dialog = page.getByRole('dialog', { name: 'Remplir et copier : Virement refusé' });
		await expect.element(dialog).toBeVisible();
		await expect.element(page.getByLabelText('Nom client')).toHaveFocus();
		expect(
			[...dialogEl()!.querySelectorAll('input[data-field]')].map((i) => i.getAttribute('data-field'))
		).toEqual(['nom_client', 'montant', 'nom_conseiller']);
		expect(dialogEl()!.getAttribute('aria-modal')).toBe('true');
		expect(r.target.contains(dialogEl())).toBe(false); // portalled out of the page's flow
	});

	it('keeps Tab inside the dialog: after Copy comes the first control again', async () => {
		openDialog();
		await expect.element(page.getByLabelText('Nom client')).toHaveFocus();
		const seen = new Set<Element>();
		for (let i = 0; i < 12; i++) {
			await userEvent.tab();
			seen.add(document.activeElement!);
			expect(dialogEl()!.contains(document.activeElement)).toBe(true);
		}
		// Radios (one stop), three fields, Cancel and Copy: the loop went round at least once.
		expect(seen.size).toBeLessThan(12);
	});

	it('previews as the agent types, marks what is left, and remembers values across languages', async () => {
		openDialog();
		await userEvent.keyboard('Mme Martin');
		await expect
			.element(page.getByText('Non remplis, copiés tels quels : Montant, Nom conseiller'))
			.toBeVisible();
		expect(preview().textContent).toBe(
			'Bonjour Mme Martin,\n\nVotre virement de à remplir :{{montant}} a été refusé.\n\nà remplir :{{nom_conseiller}}'
		);
		expect([...preview().querySelectorAll('mark')].map((m) => m.textContent)).toEqual([
			'à remplir :{{montant}}',
			'à remplir :{{nom_conseiller}}'
		]);
		await page.getByRole('radio', { name: 'Anglais' }).click();
		await expect
			.element(page.getByRole('dialog', { name: 'Remplir et copier : Transfer refused' }))
			.toBeVisible();
		await expect.element(page.getByLabelText('Nom client')).toHaveValue('Mme Martin');
		expect(preview().textContent).toContain('Hello Mme Martin,');
		expect(preview().getAttribute('lang')).toBe('en');
	});

	it('copies the filled text with Ctrl+Enter, confirms, closes and gives focus back to the opener', async () => {
		const r = openDialog();
		await userEvent.keyboard('Mme Martin');
		await userEvent.tab();
		await userEvent.keyboard('120 €');
		await userEvent.tab();
		await userEvent.keyboard('Léa');
		await userEvent.keyboard('{Control>}{Enter}{/Control}');
		await vi.waitFor(() => expect(writeText).toHaveBeenCalledOnce());
		expect(writeText).toHaveBeenCalledWith(
			'Bonjour Mme Martin,\n\nVotre virement de 120 € a été refusé.\n\nLéa'
		);
		await expect
			.element(page.getByRole('status'))
			.toHaveTextContent('Réponse copiée dans le presse-papiers.');
		await vi.waitFor(() => expect(dialogEl()).toBeNull());
		await vi.waitFor(() => expect(r.onclose).toHaveBeenCalledOnce());
		expect(document.activeElement).toBe(r.opener);
	});

	it('still copies with empty fields, saying which ones to fill by hand', async () => {
		openDialog();
		await page.getByRole('button', { name: 'Copier' }).click();
		await vi.waitFor(() => expect(writeText).toHaveBeenCalledOnce());
		expect(writeText.mock.calls[0]![0]).toContain('Bonjour {{nom_client}},');
		await expect
			.element(page.getByRole('status'))
			.toHaveTextContent('À compléter à la main : Nom client, Montant, Nom conseiller.');
	});

	it('shows the text selected in a text area when the clipboard refuses it', async () => {
		writeText.mockRejectedValueOnce(new DOMException('denied', 'NotAllowedError'));
		openDialog();
		await userEvent.keyboard('Mme Martin');
		await userEvent.keyboard('{Control>}{Enter}{/Control}');
		await expect.element(page.getByRole('alert')).toHaveTextContent('appuyez sur Ctrl+C');
		const area = page.getByRole('textbox', { name: 'Texte à copier' });
		await expect.element(area).toHaveFocus();
		const el = area.element() as HTMLTextAreaElement;
		expect(el.value.startsWith('Bonjour Mme Martin,')).toBe(true);
		expect(el.selectionEnd - el.selectionStart).toBe(el.value.length);
		expect(dialogEl()).not.toBeNull();
	});

	it('closes on Escape without copying', async () => {
		const r = openDialog();
		await userEvent.keyboard('{Escape}');
		await vi.waitFor(() => expect(dialogEl()).toBeNull());
		await vi.waitFor(() => expect(r.onclose).toHaveBeenCalledOnce());
		expect(writeText).not.toHaveBeenCalled();
		expect(document.activeElement).toBe(r.opener);
	});
});
