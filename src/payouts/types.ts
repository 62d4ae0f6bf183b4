// Kept for existing imports: the payout workflow contract lives in src/shared/payouts.ts.
export * from '../shared/payouts.ts';
