// What a cycle pays, as ledger lines: one line per business fact, whose unique key makes accrual
// idempotent. Deliverables count from when they were received (the Freelance Act's 60 days): the
// submission for a submission fee, the selection for the adoption fee and the win bonus.
import type { LedgerKind } from '../../shared/cycles.ts';

export interface EarningProposal {
  id: number;
  hacker_id: number;
  offer_id: number;
  title: string;
  status: 'submitted' | 'selected' | 'rejected' | 'withdrawn';
  submitted_at: Date;
  selected_at: Date | null;
  adoption_fee_yen: number;
  win_bonus_yen: number;
  submission_fee_yen: number;
  /** The test of its offer has a valid (not invalidated) final verdict naming this proposal the winner. */
  won: boolean;
}

export interface TeamMember {
  hacker_id: number;
  share_percent: number;
}

export interface EarningLine {
  unique_key: string;
  kind: LedgerKind;
  hacker_id: number;
  offer_id: number | null;
  proposal_id: number | null;
  amount_yen: number;
  delivered_at: Date;
  description: string;
}

export const ledgerKey = (kind: LedgerKind, hackerId: number, cycleId: number, offerId: number | null) =>
  `${kind}:${hackerId}:${cycleId}:${offerId ?? '-'}`;

/** Kinds paid once per selected proposal, not once per offer: their key names the proposal. */
const PER_PROPOSAL: ReadonlySet<LedgerKind> = new Set(['adoption_fee']);

/**
 * Lines for a cycle. `completed` is false when the cycle was cut short (engagement ended, no
 * selection): work received still earns its fees, but nothing is paid for work not done — no win
 * bonus and no retainer for the month's remaining time.
 */
export function cycleEarnings(input: {
  cycleId: number;
  month: string;
  completed: boolean;
  proposals: EarningProposal[];
  team: TeamMember[];
  teamRetainerYen: number;
  now: Date;
}): EarningLine[] {
  const lines: EarningLine[] = [];
  const add = (kind: LedgerKind, hackerId: number, offerId: number | null, proposalId: number | null, amount: number, at: Date, description: string) => {
    const key = ledgerKey(kind, hackerId, input.cycleId, offerId) + (PER_PROPOSAL.has(kind) && proposalId != null ? `:${proposalId}` : '');
    if (amount > 0) lines.push({ unique_key: key, kind, hacker_id: hackerId, offer_id: offerId, proposal_id: proposalId, amount_yen: amount, delivered_at: at, description });
  };
  for (const p of input.proposals) {
    if (p.status === 'withdrawn') continue;
    add('submission_fee', p.hacker_id, p.offer_id, p.id, p.submission_fee_yen, p.submitted_at, `Submission fee: ${p.title}`);
    if (p.status === 'selected') {
      const selected = p.selected_at ?? p.submitted_at;
      add('adoption_fee', p.hacker_id, p.offer_id, p.id, p.adoption_fee_yen, selected, `Adoption fee: ${p.title}`);
      if (p.won && input.completed) add('win_bonus', p.hacker_id, p.offer_id, p.id, p.win_bonus_yen, selected, `Win bonus: ${p.title}`);
    }
  }
  if (input.completed) {
    for (const m of input.team) {
      add('team_retainer', m.hacker_id, null, null, Math.floor((input.teamRetainerYen * m.share_percent) / 100), input.now, `Growth team retainer ${m.share_percent}% for ${input.month}`);
    }
  }
  return lines;
}
