// Phase 1 of a connection: hello and proof. Each side sends hello (agent, floor, spaces, key, a fresh
// nonce) and answers the other's once; a side with an identity then signs the connection: both
// nonces, both network ids and the transport's channel binding (identity.ts). A man in the middle
// relaying hellos and proofs between two devices has two connections with two bindings, so the
// relayed proof fails. A peer that proves its key is introduced `verified`, its agent id the key's;
// one without a key, without a binding or with a bad proof is introduced unproven (it reads the
// knowledge base, writes nothing). A peer that has not finished within the deadline is disconnected.
import { newNonce, proveHello, verifyHello, type AgentIdentity } from './identity';
import type { PeerId } from './network';
import type { PeerState, SyncContext } from './sync-peer';
import type { Hello, ProtocolLimits } from './sync-protocol';

export interface HandshakeHooks {
	/** The peer's handshake is complete: share with it. */
	introduce(from: PeerId, state: PeerState, hello: Hello): Promise<void>;
	/** An introduced peer sent hello again (its agent moved to another floor). */
	updated(from: PeerId, state: PeerState, hello: Hello): Promise<void>;
	/** The peer missed its deadline or broke the protocol: disconnect it. */
	drop(peer: PeerId, reason: string): void;
}

export class Handshake {
	readonly #ctx: SyncContext;
	readonly #identity: AgentIdentity | undefined;
	readonly #limits: ProtocolLimits;
	readonly #hooks: HandshakeHooks;

	constructor(
		ctx: SyncContext,
		identity: AgentIdentity | undefined,
		limits: ProtocolLimits,
		hooks: HandshakeHooks
	) {
		this.#ctx = ctx;
		this.#identity = identity;
		this.#limits = limits;
		this.#hooks = hooks;
	}

	/** A new connection (its state just registered): say hello, start the clock. */
	begin(peer: PeerId, state: PeerState): void {
		// Set before sending: the answer may come back within send() on a synchronous transport.
		state.nonce = newNonce();
		state.deadline = setTimeout(
			() => this.#hooks.drop(peer, `no complete handshake within ${this.#limits.handshakeMs} ms`),
			this.#limits.handshakeMs
		);
		this.#ctx.send(peer, { type: 'hello', hello: this.helloFor(state.nonce) });
	}

	helloFor(nonce: string, answer = false): Hello {
		const hello: Hello = { ...this.#ctx.self, nonce };
		delete hello.verified;
		if (answer) hello.answer = true;
		return hello;
	}

	async onHello(from: PeerId, state: PeerState, hello: Hello): Promise<void> {
		if (!hello.answer && !state.answered) {
			state.answered = true;
			this.#ctx.send(from, { type: 'hello', hello: this.helloFor(state.nonce, true) });
		}
		if (state.hello) return this.#hooks.updated(from, state, hello);
		if (state.pending) return;
		state.pending = hello;
		const binding = this.#ctx.net.channelBinding(from);
		if (this.#identity && hello.nonce && binding && !state.proved) {
			state.proved = true;
			const signature = await proveHello(this.#identity, {
				binding,
				signerNonce: state.nonce,
				verifierNonce: hello.nonce,
				signer: this.#ctx.net.peerId,
				verifier: from
			});
			// Sent only on the connection it signs (the link may have been cut and remade meanwhile).
			if (this.#ctx.peers.get(from) === state && this.#ctx.net.channelBinding(from) === binding)
				this.#ctx.send(from, { type: 'proof', signature });
		}
		if (this.#ctx.peers.get(from) !== state) return; // the connection closed while signing
		// Nothing to check: introduced unproven at once.
		if (!hello.key || !hello.nonce || !binding) return this.#introduce(from, state, hello, false);
		if (state.proof) return this.#check(from, state, state.proof);
	}

	async onProof(from: PeerId, state: PeerState, signature: Uint8Array): Promise<void> {
		if (state.hello) return;
		if (!state.pending) {
			state.proof = signature;
			return;
		}
		if (state.pending.key) return this.#check(from, state, signature);
	}

	/** Checks the peer's proof; a peer that fails is introduced unproven and the failure reported. */
	async #check(from: PeerId, state: PeerState, signature: Uint8Array): Promise<void> {
		const hello = state.pending!;
		state.proof = undefined;
		if (this.#ctx.peers.get(from) !== state) return;
		const binding = this.#ctx.net.channelBinding(from);
		const ok =
			!!binding &&
			(await verifyHello(hello.agentId, hello.key!, signature, {
				binding,
				signerNonce: hello.nonce!,
				verifierNonce: state.nonce,
				signer: from,
				verifier: this.#ctx.net.peerId
			}));
		if (!ok)
			this.#ctx.reject(
				from,
				`could not prove it is ${hello.agentId} on this connection: treated as unproven`
			);
		await this.#introduce(from, state, hello, ok);
	}

	async #introduce(from: PeerId, state: PeerState, hello: Hello, verified: boolean): Promise<void> {
		if (this.#ctx.peers.get(from) !== state || state.hello) return;
		clearTimeout(state.deadline);
		state.deadline = undefined;
		state.pending = undefined;
		await this.#hooks.introduce(from, state, { ...hello, verified });
	}
}
