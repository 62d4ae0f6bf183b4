export * from './rates.ts';
export * from './tax.ts';
export * from './calendar.ts';
export * from './draft.ts';
export * from './matching.ts';
export * from './payee-tax.ts';
export * from './review.ts';
