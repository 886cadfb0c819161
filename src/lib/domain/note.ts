export const NOTE_VISIBILITIES = ['private', 'floor', 'centre'] as const;
export type NoteVisibility = (typeof NOTE_VISIBILITIES)[number];
