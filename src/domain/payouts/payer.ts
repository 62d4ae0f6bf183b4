// The platform's own account written in the Zengin header: the demo defaults, in one place. The
// configuration (KAIZEN_PAYER_*) overrides each field; code that has no configuration uses these.
import type { ZenginPayer } from './zengin-file.ts';

export const DEFAULT_PAYER = {
  requester_code: '0000000001',
  name: 'カイゼンデスク株式会社',
  bank_code: '0001',
  branch_code: '001',
  account_type: '1',
  account_number: '1234567',
} as const satisfies ZenginPayer;
