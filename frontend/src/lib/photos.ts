// Choosing the pair a before/after comparison shows: per view, the latest `after` (or
// follow-up) photo and the latest `before` photo taken no later than it — the server's
// compare endpoint picks the same pair by default.
export interface PhotoLike {
  id: string;
  view: string;
  kind: string;
  taken_at: string;
}

export function comparePair<T extends PhotoLike>(photos: readonly T[], view: string): { before: T; after: T } | null {
  const same = photos.filter((p) => p.view === view).sort((a, b) => b.taken_at.localeCompare(a.taken_at));
  const after = same.find((p) => p.kind !== 'before');
  if (!after) return null;
  const before = same.find((p) => p.kind === 'before' && p.taken_at <= after.taken_at);
  return before ? { before, after } : null;
}
