// The one SHA-256 (domain/subtle.ts) in Node: lib0's (node:crypto) for small inputs, WebCrypto's for
// large ones — the same digest either way (tests/support/sha256-cases.ts).
import { describe } from 'vitest';
import { sha256Cases } from '../support/sha256-cases';

describe('sha256', sha256Cases);
