// Pure payout domain: withholding, corporate/invoice numbers, Zengin names and files, due dates.
// Note: importing this barrel loads the zengin-code data set (banks.ts); code that must stay light
// (e.g. Temporal workflow code) should import withholding.ts / calendar.ts directly.
export { withholdingOp, zenginNamesOp, zenginFileOp } from './cli-ops.ts';
export type { ZenginNameItem } from './cli-ops.ts';
export { computeWithholding, parseWithholdingPayment, residentDesignTax, treatyRateBp } from './withholding.ts';
export type {
  FeeCategory,
  IncomeSource,
  Payee,
  PayeeType,
  TreatyRelief,
  WithholdingLine,
  WithholdingPayment,
  WithholdingResult,
} from './withholding.ts';
export { RATE_TABLE, ratesFor } from './rates.ts';
export type { EffectiveRates, RateTableEntry, Surtax } from './rates.ts';
export {
  corporateNumberCheckDigit,
  isValidCorporateNumber,
  isValidInvoiceRegistrationNumber,
} from './corporate-number.ts';
export { LEGAL_FORMS, ZENGIN_NAME_CHARS, capZengin, toZenginName } from './zengin-name.ts';
export type { ZenginNameOptions, ZenginNameResult } from './zengin-name.ts';
export {
  MAX_AMOUNT,
  MAX_COUNT,
  MAX_TOTAL,
  RECORD_LENGTH,
  buildZenginFile,
  encodeZenginRecords,
  zenginRecords,
} from './zengin-file.ts';
export type {
  LineEnding,
  PayeeAccountType,
  PayerAccountType,
  ZenginFileInput,
  ZenginPayer,
  ZenginTransfer,
} from './zengin-file.ts';
export { YUCHO_BANK_CODE, lookupBank, lookupBranch, yuchoToZengin } from './banks.ts';
export type { BankInfo, BranchInfo, ZenginAccount } from './banks.ts';
export {
  holidayName,
  isBusinessDay,
  isJapaneseHoliday,
  japaneseHolidays,
  nextBusinessDay,
  withholdingDueDate,
} from './calendar.ts';
export {
  PAYMENT_RECORD_THRESHOLD_YEN,
  exceedsFreelanceActDeadline,
  freelanceActPaymentDeadline,
  monthlyRemittance,
  needsPaymentRecord,
  paymentRecordDueDate,
} from './remittance.ts';
export type { MonthlyRemittance, RemittanceSlip, WithheldPayment } from './remittance.ts';
