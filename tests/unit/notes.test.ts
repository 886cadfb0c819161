// Notes: who may read and write one, its Y.Doc shape and validation, its author's access records,
// and the share policy's decisions for notes.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	mayReadNote,
	mayWriteNote,
	newNoteId,
	noteAuthor,
	validateNoteMeta,
	type NoteAccess,
	type NoteMeta
} from '../../src/lib/domain/note';
import { ValidationError } from '../../src/lib/domain/validation';
import type { NoteAccessLookup } from '../../src/lib/repo/note-access';
import { CentreSharePolicy } from '../../src/lib/repo/share-policy';
import type { Hello } from '../../src/lib/repo/sync-protocol';
import {
	docType,
	initNote,
	noteAccessAuthor,
	noteAccessDocId,
	putNoteAccess,
	readNoteAccess,
	readNoteBody,
	readNoteMeta,
	updateNoteMeta
} from '../../src/lib/schema/index';
import { validateArticleMeta } from '../../src/lib/domain/article';

const validateArticleMetaForTest = (extra: Record<string, unknown>) =>
	validateArticleMeta({
		kind: 'faq',
		title: 'T',
		node: 'n',
		locale: 'fr',
		tags: [],
		status: 'draft',
		createdAt: 1,
		updatedAt: 1,
		...extra
	});

const access = (a: Partial<NoteAccess> = {}): NoteAccess => ({
	author: 'agent-alice',
	visibility: 'private',
	floor: 'bourse',
	colleaguesMayEdit: false,
	...a
});
const alice = { id: 'agent-alice', floor: 'bourse' };
const bruno = { id: 'agent-bruno', floor: 'bourse' };
const chloe = { id: 'agent-chloe', floor: 'support' };

describe('note rights', () => {
	it('a private note: only its author reads and writes it', () => {
		expect([alice, bruno, chloe].map((a) => mayReadNote(access(), a))).toEqual([true, false, false]);
		expect([alice, bruno, chloe].map((a) => mayWriteNote(access({ colleaguesMayEdit: true }), a))).toEqual([
			true,
			false,
			false
		]);
	});
	it('shared with the floor: its floor reads it; writes only if the author allows', () => {
		const floor = access({ visibility: 'floor' });
		expect([alice, bruno, chloe].map((a) => mayReadNote(floor, a))).toEqual([true, true, false]);
		expect([alice, bruno, chloe].map((a) => mayWriteNote(floor, a))).toEqual([true, false, false]);
		expect([alice, bruno, chloe].map((a) => mayWriteNote({ ...floor, colleaguesMayEdit: true }, a))).toEqual([
			true,
			true,
			false
		]);
	});
	it('shared with the centre: everyone reads it', () => {
		const centre = access({ visibility: 'centre', colleaguesMayEdit: true });
		expect([alice, bruno, chloe].map((a) => mayReadNote(centre, a))).toEqual([true, true, true]);
		expect([alice, bruno, chloe].map((a) => mayWriteNote(centre, a))).toEqual([true, true, true]);
	});
	it('the author is named by the note id', () => {
		const id = newNoteId('agent-alice');
		expect(noteAuthor(id)).toBe('agent-alice');
		expect(noteAuthor(`note/${id}`)).toBe('agent-alice');
		expect(noteAuthor('note/nodot')).toBeUndefined();
		expect(() => newNoteId('Not An Id')).toThrow(ValidationError);
	});
});

const meta = (m: Partial<NoteMeta> = {}): NoteMeta => ({
	...access(),
	title: 'Astuce',
	authorName: 'Alice',
	createdAt: 1,
	updatedAt: 2,
	...m
});

describe('note schema', () => {
	it('writes and reads a note: header, meta and the article body fragment', () => {
		const doc = new Y.Doc();
		initNote(doc, meta(), [{ type: 'paragraph', content: [{ type: 'text', text: 'bonjour' }] }]);
		expect(docType(doc)).toBe('note');
		expect(readNoteMeta(doc)).toEqual(meta());
		expect(readNoteBody(doc)).toEqual([{ type: 'paragraph', content: [{ type: 'text', text: 'bonjour' }] }]);
		expect(doc.getXmlFragment('body').length).toBe(1);
		const next = updateNoteMeta(doc, { visibility: 'floor', promotedTo: 'proc-x' }, 99);
		expect(next).toMatchObject({ visibility: 'floor', promotedTo: 'proc-x', updatedAt: 99 });
		expect(readNoteMeta(doc)).toEqual(next);
	});
	it('refuses bad metadata with the field at fault, and leaves the note as it was', () => {
		expect(() => validateNoteMeta({ ...meta(), visibility: 'team' })).toThrow(/visibility/);
		expect(() => validateNoteMeta({ ...meta(), colleaguesMayEdit: 'yes' })).toThrow(/colleaguesMayEdit/);
		expect(() => validateNoteMeta({ ...meta(), title: '' })).toThrow(/title/);
		expect(() => validateNoteMeta({ ...meta(), author: 'Alice!' })).toThrow(/author/);
		const doc = new Y.Doc();
		initNote(doc, meta());
		expect(() => updateNoteMeta(doc, { title: ' ' })).toThrow(ValidationError);
		expect(readNoteMeta(doc).title).toBe('Astuce');
	});
	it('keeps the author’s access records, ignoring records for someone else’s notes', () => {
		const doc = new Y.Doc();
		const id = `note/${newNoteId('agent-alice')}`;
		putNoteAccess(doc, id, access({ visibility: 'centre' }));
		expect(() => putNoteAccess(doc, 'note/agent-bruno.x', access())).toThrow(/not a note of agent-alice/);
		doc.getMap('notes').set('note/agent-bruno.x', access({ author: 'agent-bruno', visibility: 'centre' }));
		doc.getMap('notes').set('note/agent-alice.bad', { visibility: 'everyone' });
		expect([...readNoteAccess(doc, 'agent-alice')]).toEqual([[id, access({ visibility: 'centre' })]]);
		expect(docType(doc)).toBe('space');
		expect(noteAccessDocId('agent-alice')).toBe('space/notes:agent-alice');
		expect(noteAccessAuthor('space/notes:agent-alice')).toBe('agent-alice');
		expect(noteAccessAuthor('space/kb')).toBeUndefined();
	});
	it('an article keeps a link to the note it was promoted from, validated', () => {
		expect(
			validateArticleMetaForTest({ fromNote: 'agent-alice.x1', fromNoteAuthor: 'agent-alice' })
		).toMatchObject({ fromNote: 'agent-alice.x1', fromNoteAuthor: 'agent-alice' });
		expect(() => validateArticleMetaForTest({ fromNote: 'note/agent-alice.x1' })).toThrow(/fromNote/);
	});
});

/** A lookup with fixed records. */
function lookup(records: Record<string, NoteAccess>): NoteAccessLookup {
	return { get: (id) => records[id], onChange: () => () => {} };
}
const hello = (agentId: string, floor: string, verified: boolean, spaces: string[]): Hello => ({
	protocol: 1,
	agentId,
	floor,
	spaces,
	verified
});

describe('share policy for notes', () => {
	const note = 'note/agent-alice.n1';
	const spacesOf = (agent: string, floor: string) => ['kb', 'centre', `personal:${agent}`, `floor:${floor}`];
	const policyOf = (agent: string, floor: string, records: Record<string, NoteAccess>) =>
		new CentreSharePolicy(agent, { floor: () => floor, notes: lookup(records) });
	const aliceLaptop = hello('agent-alice', 'bourse', true, spacesOf('agent-alice', 'bourse'));
	const aliceClaimed = hello('agent-alice', 'bourse', false, spacesOf('agent-alice', 'bourse'));
	const brunoPeer = hello('agent-bruno', 'bourse', true, spacesOf('agent-bruno', 'bourse'));
	const chloePeer = hello('agent-chloe', 'support', true, spacesOf('agent-chloe', 'support'));

	it('a private note (no record) goes only to the author’s proven devices', () => {
		const p = policyOf('agent-alice', 'bourse', {});
		expect(p.spaceOf(note)).toBe('personal:agent-alice');
		expect([aliceLaptop, aliceClaimed, brunoPeer, chloePeer].map((h) => p.mayShare(h, note))).toEqual([
			true,
			false,
			false,
			false
		]);
	});
	it('a floor note goes to the floor; a centre note to everyone', () => {
		const floor = policyOf('agent-alice', 'bourse', { [note]: access({ visibility: 'floor' }) });
		expect([brunoPeer, chloePeer].map((h) => floor.mayShare(h, note))).toEqual([true, false]);
		const centre = policyOf('agent-alice', 'bourse', { [note]: access({ visibility: 'centre' }) });
		expect([brunoPeer, chloePeer].map((h) => centre.mayShare(h, note))).toEqual([true, true]);
	});
	it('mayWrite: a read-only note only from its author’s proven devices, an open one from its readers', () => {
		const readOnly = policyOf('agent-chloe', 'support', { [note]: access({ visibility: 'centre' }) });
		expect([aliceLaptop, aliceClaimed, brunoPeer].map((h) => readOnly.mayWrite(h, note))).toEqual([
			true,
			false,
			false
		]);
		const open = policyOf('agent-chloe', 'support', {
			[note]: access({ visibility: 'centre', colleaguesMayEdit: true })
		});
		// An unproven peer writes nothing, even a note open to every reader.
		expect([aliceLaptop, aliceClaimed, brunoPeer].map((h) => open.mayWrite(h, note))).toEqual([
			true,
			false,
			true
		]);
		// Withdrawn: not even the author's device may bring it back to a colleague.
		const withdrawn = policyOf('agent-chloe', 'support', { [note]: access({ visibility: 'private' }) });
		expect(withdrawn.mayWrite(aliceLaptop, note)).toBe(false);
		// The author's access document: only the author.
		expect(
			[aliceLaptop, aliceClaimed, brunoPeer].map((h) => readOnly.mayWrite(h, 'space/notes:agent-alice'))
		).toEqual([true, false, false]);
	});
	it('vetUpdate refuses a colleague’s change to who may read the note, accepts a change of its text', () => {
		const policy = policyOf('agent-alice', 'bourse', {
			[note]: access({ visibility: 'floor', colleaguesMayEdit: true })
		});
		const doc = new Y.Doc();
		initNote(doc, meta({ visibility: 'floor', colleaguesMayEdit: true }));
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		const updates: Uint8Array[] = [];
		copy.on('update', (u: Uint8Array) => updates.push(u));
		copy.getXmlFragment('body').insert(0, [new Y.XmlText('ajout')]);
		expect(policy.vetUpdate(brunoPeer, note, doc, updates[0]!)).toBeUndefined();
		updateNoteMeta(copy, { title: 'Nouveau titre' });
		expect(policy.vetUpdate(brunoPeer, note, doc, updates[1]!)).toBeUndefined();
		updateNoteMeta(copy, { visibility: 'centre' });
		expect(policy.vetUpdate(brunoPeer, note, doc, updates[2]!)).toMatch(/author-only fields/);
		expect(policy.vetUpdate(aliceLaptop, note, doc, updates[2]!)).toBeUndefined();
	});
});
