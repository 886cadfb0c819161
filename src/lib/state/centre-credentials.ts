// Which centre this device works in, and the secret its peers share. Kept on the device; the demo
// centre's secret is public (it is a demo), any other centre's comes from an invite code.
import { parseInviteCode } from '../net/crypto';

export interface CentreCredentials {
	centreId: string;
	secret: string;
	/** Seed the demo content locally (first start on the demo centre). A centre joined by invite code
	 *  starts empty and is filled by its peers. */
	seed: boolean;
	/** Optional meeting room inside the centre: devices only meet peers of the same room. Lets a
	 *  training session, or a test, run on its own on a shared server. */
	room?: string;
}

export const DEMO_CENTRE = 'demo';
/** The demo centre's shared secret: public, so every demo device meets the others. */
export const DEMO_SECRET = '7demqp4tc2h9x3vbnk8rfa6wgy5s';
const KEY = 'plateau:centre';
const ROOM_KEY = 'plateau:room';

export function readCredentials(storage: Storage | undefined): CentreCredentials {
	const room = storage?.getItem(ROOM_KEY);
	const credentials = readCentre(storage);
	return room && /^[a-z0-9-]{1,64}$/.test(room) ? { ...credentials, room } : credentials;
}

function readCentre(storage: Storage | undefined): CentreCredentials {
	try {
		const raw = JSON.parse(storage?.getItem(KEY) ?? 'null') as Partial<CentreCredentials> | null;
		if (raw && typeof raw.centreId === 'string' && typeof raw.secret === 'string') {
			parseInviteCode(`plateau:${raw.centreId}:${raw.secret}`);
			return { centreId: raw.centreId, secret: raw.secret, seed: raw.seed === true };
		}
	} catch {
		/* damaged or foreign value: fall back to the demo centre */
	}
	return { centreId: DEMO_CENTRE, secret: DEMO_SECRET, seed: true };
}

/** Joins the centre of an invite code (throws InviteCodeError for a wrong code). Takes effect on
 *  the next start. */
export function joinWithInviteCode(storage: Storage | undefined, code: string): CentreCredentials {
	const { centreId, secret } = parseInviteCode(code);
	const credentials = { centreId, secret, seed: false };
	storage?.setItem(KEY, JSON.stringify(credentials));
	return credentials;
}
