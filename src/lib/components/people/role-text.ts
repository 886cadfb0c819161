// One role as a line of text in the agent's language ("Expert : Bourse › Ordres"), and the scopes a
// role may take, for the People page's lists and pickers.
import type { Floor } from '../../domain/centre';
import type { Locale } from '../../domain/locale';
import { localized } from '../../domain/locale';
import type { GrantedRole, RoleAssignment, RoleScope } from '../../domain/roles';
import { scopeKey } from '../../domain/roles';
import type { TaxonomyNode } from '../../domain/taxonomy';
import { taxonomyPath } from '../../domain/taxonomy';
import type { MessageKey, MessageParams } from '../../i18n/index';

type T = (key: MessageKey, params?: MessageParams) => string;

export interface ScopeChoice {
	key: string;
	scope: RoleScope;
	label: string;
}

export function topicLabel(nodes: ReadonlyMap<string, TaxonomyNode>, id: string, locale: Locale): string {
	const path = taxonomyPath(nodes, id, locale);
	return path.length ? path.join(' › ') : id;
}

function floorLabel(floors: readonly Floor[], id: string, locale: Locale): string {
	const f = floors.find((x) => x.id === id);
	return f ? localized(f.name, locale) : id;
}

export function roleText(
	t: T,
	a: Pick<RoleAssignment, 'role' | 'scope'>,
	nodes: ReadonlyMap<string, TaxonomyNode>,
	floors: readonly Floor[],
	locale: Locale
): string {
	if (a.role === 'administrator') return t('people.administrator');
	if (a.role === 'expert' && a.scope.kind === 'topic')
		return t('people.expertOf', { topic: topicLabel(nodes, a.scope.topic, locale) });
	if (a.scope.kind === 'floor')
		return t('people.managerOfFloor', { floor: floorLabel(floors, a.scope.floor, locale) });
	return t('people.managerOfCentre');
}

/** The scopes a role may be granted over: topics for an expert (in tree order), the centre or a
 *  floor for a knowledge manager, the centre for an administrator. */
export function scopeChoices(
	t: T,
	role: GrantedRole,
	taxonomy: readonly TaxonomyNode[],
	floors: readonly Floor[],
	locale: Locale
): ScopeChoice[] {
	const centre: RoleScope = { kind: 'centre' };
	if (role === 'administrator')
		return [{ key: scopeKey(centre), scope: centre, label: t('people.scopeCentre') }];
	if (role === 'knowledge-manager')
		return [
			{ key: scopeKey(centre), scope: centre, label: t('people.scopeCentre') },
			...floors.map((f) => {
				const scope: RoleScope = { kind: 'floor', floor: f.id };
				return { key: scopeKey(scope), scope, label: localized(f.name, locale) };
			})
		];
	const nodes = new Map(taxonomy.map((n) => [n.id, n]));
	return taxonomy
		.map((n) => {
			const scope: RoleScope = { kind: 'topic', topic: n.id };
			return { key: scopeKey(scope), scope, label: topicLabel(nodes, n.id, locale) };
		})
		.sort((a, b) => a.label.localeCompare(b.label, locale));
}
