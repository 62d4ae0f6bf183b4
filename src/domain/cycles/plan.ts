// Who may write which hypothesis of a month's plan. The plan route refuses by it (cycles/plan.ts) and
// the cycle view offers by it (`plan_authors`), so the web never decides it from a role itself.
import type { Role } from '../../shared/actor.ts';
import type { HypothesisInput } from '../../shared/cycles.ts';

export type HypothesisAuthor = HypothesisInput['author'];

/** The hypothesis authors a caller of this role may write: a client user only the client's own. */
export function planAuthorsFor(role: Role): HypothesisAuthor[] {
  return role === 'client' ? ['client'] : ['client', 'cs'];
}
