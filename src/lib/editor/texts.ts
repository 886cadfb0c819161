// The editor's own words (field labels, placeholder, choice labels), from the UI messages.
import type { MessageKey } from '../i18n/index';
import type { ProcedureLabels } from './procedure';
import type { ProcedureViewLabels } from './procedure-views';

export interface EditorTexts {
	placeholder: string;
	labels: ProcedureLabels;
	calloutLabels: { warning: string; tip: string };
	viewLabels: ProcedureViewLabels;
}

export function editorTexts(t: (key: MessageKey) => string): EditorTexts {
	return {
		placeholder: t('editor.placeholder'),
		labels: {
			action: t('procedure.action'),
			result: t('procedure.result'),
			when: t('procedure.when'),
			to: t('procedure.to'),
			handover: t('procedure.handover')
		},
		calloutLabels: { warning: t('callout.warning'), tip: t('callout.tip') },
		viewLabels: {
			decision: t('procedure.decision'),
			goTo: t('procedure.goTo'),
			noTarget: t('procedure.noTarget'),
			escalation: t('procedure.escalation'),
			floor: t('procedure.floor'),
			noFloor: t('procedure.noFloor'),
			step: t('procedure.stepOption')
		}
	};
}
