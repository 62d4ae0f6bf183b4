// The simulated world's bank: it executes the transfers of the run's 全銀 総合振込 file and answers with the same
// records, each data record's result code (column 114) set, as a bank's 総合振込 result file does.
// Finance imports that answer through POST /v1/payout-runs/:id/bank-results like any bank's file (the
// chaos harness and the demo do).
const DATA_RECORD = 0x32; // '2'
const RESULT_CODE_AT = 113; // column 114, 0-based
const CRLF = Buffer.from('\r\n');

/** The bank's result file for a 総合振込 file: `codeOf(payeeId)` ('0' done by default) per data record. */
export function bankResultFile(transferFile: Buffer, codeOf: (payeeId: number) => string = () => '0'): Buffer {
  const records = transferFile
    .toString('latin1')
    .split('\r\n')
    .filter((r) => r.length > 0)
    .map((r) => Buffer.from(r, 'latin1'));
  for (const r of records) {
    // Customer code 1 (columns 92-101) is the payee id our file writes.
    if (r[0] === DATA_RECORD) r[RESULT_CODE_AT] = codeOf(Number(r.subarray(91, 101).toString('latin1'))).charCodeAt(0);
  }
  return Buffer.concat(records.flatMap((r) => [r, CRLF]));
}
