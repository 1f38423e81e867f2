// The measurement metrics and their fixed units (SPEC §6 "Outcome units"; any other unit is refused).
import type { Schemas } from './api/client';

export type Metric = Schemas['Metric'];

export const METRICS: { metric: Metric; label: string; unit: string; hint: string }[] = [
  { metric: 'skin_moisture', label: 'Skin moisture', unit: "[arb'U]", hint: 'corneometer units' },
  { metric: 'firmness', label: 'Firmness', unit: 'mm', hint: 'R0, mm' },
  { metric: 'elasticity', label: 'Elasticity', unit: '1', hint: 'R2 ratio, 0–1' },
  { metric: 'wrinkle_severity', label: 'Wrinkle severity', unit: '{score}', hint: 'score 1–5' },
  { metric: 'pigmentation', label: 'Pigmentation', unit: "[arb'U]", hint: 'melanin index' },
  { metric: 'gais', label: 'GAIS', unit: '{score}', hint: 'score −1–3' },
  { metric: 'satisfaction', label: 'Satisfaction', unit: '{score}', hint: 'score 0–10' },
];

/** A stored unit (UCUM code, as the server sends and wants it) in words for people. */
const UNIT_WORDS: Record<string, string> = { "[arb'U]": 'units', mm: 'mm', '1': 'ratio', '{score}': 'score' };
export function unitText(ucum: string): string {
  return UNIT_WORDS[ucum] ?? ucum;
}

export function metricLabel(m: string): string {
  return METRICS.find((x) => x.metric === m)?.label ?? m;
}

/** The follow-up offsets outcomes are reported at (days after the procedure). */
export const OFFSETS = [14, 42, 90, 180];
