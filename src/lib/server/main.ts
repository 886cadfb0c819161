// Plateau's production server: the built SvelteKit app (adapter-node's handler) and the signaling
// relay on one port. Run by `npm start` after `npm run build`.
import { createServer } from 'node:http';
import { attachSignaling, SIGNAL_PATH } from './attach';

// Resolved at run time from build-server/index.js; built by `vite build` (adapter-node).
const handlerPath = '../build/handler.js';
const { handler } = (await import(/* @vite-ignore */ handlerPath)) as {
	handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
};

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';

const server = createServer((req, res) => handler(req, res));
const signaling = attachSignaling(server, (m) => console.warn(m), { exclusive: true });

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
