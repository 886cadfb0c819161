import { articleMigrations } from './article';
import { centreMigrations } from './centre';
import { noteMigrations } from './note';
import { spaceMigrations } from './space';
import type { MigrationTable } from './version';

/** Every document type's migrations, by version. */
export const MIGRATIONS: MigrationTable = {
	article: articleMigrations,
	space: spaceMigrations,
	centre: centreMigrations,
	note: noteMigrations
};

export * from './version';
export * from './body';
export * from './article';
export * from './space';
export * from './centre';
export * from './note';
export * from './centre-languages';
export * from './centre-synonyms';
export * from './roles';
export * from './revisions';
export * from './publish-rights';
export * from './lifecycle';
export * from './review-intervals';
export * from './synonym-records';
