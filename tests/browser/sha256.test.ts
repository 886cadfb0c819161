// The one SHA-256 (domain/subtle.ts) in the browser, where lib0 hashes small inputs in plain
// JavaScript (in Node it is node:crypto): the same cases as in Node (tests/support/sha256-cases.ts).
import { describe } from 'vitest';
import { sha256Cases } from '../support/sha256-cases';

describe('sha256', sha256Cases);
