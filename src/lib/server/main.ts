// Plateau's production server: the built SvelteKit app (adapter-node's handler) and the signaling
// relay on one port, with security headers and timeouts (http-server.ts). Run by `npm start` after
// `npm run build`; settings from the environment (config.ts).
import { SIGNAL_PATH } from './attach';
import { signalingOptionsFromEnv } from './config';
import { createAppServer } from './http-server';

// Resolved at run time from build-server/index.js; built by `vite build` (adapter-node).
const handlerPath = '../build/handler.js';
const { handler } = (await import(/* @vite-ignore */ handlerPath)) as {
	handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
};

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';

const { server, signaling } = createAppServer(handler, {
	signaling: signalingOptionsFromEnv(process.env),
	log: (m) => console.warn(m)
});

server.listen(port, host, () => {
	const shown = host === '0.0.0.0' ? 'localhost' : host;
	console.log(
		`Plateau is running at http://${shown}:${port}/ (signaling at ws://${shown}:${port}${SIGNAL_PATH})`
	);
});

const stop = () => {
	void signaling.close();
	server.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
