/**
 * Cryptographic and time checks of a decoded code (docs/CREDENTIALS.md sections 2, 4, 5 and the
 * time rows of section 6). Pure: keys come from the trust list, time from the caller.
 * @module
 */
import type { CheckTime } from '../core/time.js';
import type { DecodedCode } from '../codec/decode-presentation.js';
import { sigStructure } from '../codec/cose.js';
import type { ReasonCode } from '../core/reasons.js';
import type { SignatureVerifier } from './signature-verifier.js';
import type { TrustList } from './trust-list.js';

export interface PresentationOptions {
  /** Tolerated clock difference for a generation time in the future, seconds (default 30). */
  skewSec: number;
  /** Age after which a live code is stale, seconds (default 180). */
  windowSec: number;
}

export interface VerifyOutcome {
  reasons: ReasonCode[];
  /** True when a trusted issuer's signature covers the claims: only then may fields be shown. */
  issuerSignatureValid: boolean;
}

/**
 * With an unreliable clock `time.nowSec` is the clock floor: the real instant is at or after it.
 * "Expired" and "too old" stay certain there; "not yet valid" and "from the future" do not, so
 * they are left out and CLOCK_UNRELIABLE tells the operator to look.
 */
export function verifyPresentation(code: DecodedCode, trust: TrustList, verifier: SignatureVerifier, time: CheckTime, opts: PresentationOptions): VerifyOutcome {
  const nowSec = time.nowSec;
  const reasons: ReasonCode[] = [];
  const { credential: c, credentialCose: cose } = code;
  let issuerSignatureValid = false;

  const key = trust.byKid(cose.kid!);
  if (!key) {
    reasons.push('UNKNOWN_ISSUER');
  } else {
    if (key.iss !== c.iss || !key.types.has(c.typ) || c.iat < key.notBefore || c.iat >= key.notAfter) {
      reasons.push('ISSUER_NOT_AUTHORIZED');
    }
    // A header alg that is not the listed key's: BAD_SIGNATURE, whatever the bytes (section 2).
    issuerSignatureValid = verifier.verify(key.publicKey, cose.alg, sigStructure(cose.protectedBytes, cose.payload), cose.signature);
    if (!issuerSignatureValid) reasons.push('BAD_SIGNATURE');
  }

  if (time.reliable && nowSec < c.nbf) reasons.push('NOT_YET_VALID');
  if (nowSec >= c.exp) reasons.push('EXPIRED');

  const p = code.presentation;
  if (p) {
    // The live code's alg must be the holder key's (section 4): any other is BAD_HOLDER_SIGNATURE.
    const holderOk = c.holderKey !== null && verifier.verify(c.holderKey, p.cose.alg, sigStructure(p.cose.protectedBytes, p.cose.payload), p.cose.signature);
    if (!holderOk) reasons.push('BAD_HOLDER_SIGNATURE');
    const age = nowSec - p.gen;
    if ((time.reliable && age < -opts.skewSec) || age > opts.windowSec) reasons.push('STALE_PRESENTATION');
  } else if (c.holderKey !== null) {
    reasons.push('PRESENTATION_REQUIRED');
  }
  return { reasons, issuerSignatureValid: issuerSignatureValid && !reasons.includes('ISSUER_NOT_AUTHORIZED') };
}
