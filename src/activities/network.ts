// Activities of the network: monthly (managed retainers, grades: the network-month schedule) and per
// engagement month boundary (team review, CS's decisions on its suggestions). Thin wrappers over
// src/network/; each is idempotent there behind a unique key.
import type { Db } from '../db/index.ts';
import { recomputeGrades } from '../network/grades.ts';
import { accrueManagedRetainers } from '../network/managed.ts';
import { decideSuggestion, reviewTeam } from '../network/teams.ts';
import type { TeamDecisionInput } from '../shared/network.ts';
import { ruledAll } from './ruled.ts';

export function networkActivities(db: Db) {
  return ruledAll({
    accrueManagedRetainers: (i: { month: string }) => accrueManagedRetainers(db, i),
    recomputeGrades: (i: { month: string }) => recomputeGrades(db, i),
    reviewTeam: async (i: { engagementId: number; month: string }) => {
      const r = await reviewTeam(db, i);
      return r ? { reviewId: r.id, suggestions: r.suggestions.length } : null;
    },
    decideTeamSuggestion: async (i: TeamDecisionInput & { engagementId: number }) => {
      const s = await decideSuggestion(db, { engagementId: i.engagementId, suggestionId: i.suggestion_id, decision: i.decision, reason: i.reason, actor: i.actor });
      return { suggestionId: s.id, status: s.status };
    },
  });
}
