// The procedure gates' refusals (409, and the 422 for a missing consent) in words a
// practitioner acts on, each with the action that fixes it.
import type { Explained } from '../lib/problem';
import { formatDateTime } from '../lib/time';

export type GateFix = 'request-consent' | 'new-consultation' | 'check-in' | null;

export interface GateRefusal {
  message: string;
  fix: GateFix;
}

export function explainGate(problem: Explained, performedAt: string): GateRefusal {
  const when = formatDateTime(performedAt);
  const detail = problem.message;
  const consentField = problem.fields['consent_id'];
  if (problem.status === 409 && detail.startsWith('Consent missing')) {
    const why = detail.replace(/^Consent missing:\s*/, '');
    return { message: `Not allowed: no valid consent signed before ${when}. ${why} Ask the patient to sign the consent, then save again.`, fix: 'request-consent' };
  }
  if (problem.status === 422 && consentField) {
    return {
      message: `Not allowed: no valid consent signed before ${when} — this treatment needs the patient's signed consent and none is chosen. Request it and have the patient sign it, then save again.`,
      fix: 'request-consent',
    };
  }
  if (problem.status === 409 && detail.startsWith('No signed consultation')) {
    return { message: `Not allowed: no signed consultation before ${when} — the patient has not been screened. Sign a consultation first.`, fix: 'new-consultation' };
  }
  if (problem.status === 409 && detail.startsWith('The latest signed consultation')) {
    return {
      message: `Not allowed: ${detail.replace(/\.$/, '')}. Screen the patient again in a new consultation; a procedure needs the latest signed one to find the patient eligible.`,
      fix: 'new-consultation',
    };
  }
  if (problem.status === 409 && detail.startsWith('The appointment is')) {
    return { message: `Not allowed: ${detail} Check the patient in first.`, fix: 'check-in' };
  }
  return { message: detail, fix: null };
}
