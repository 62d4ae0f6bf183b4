/** A billing rule broken (wrong state, unknown row): never succeeds on retry; 404/409/400 on the API. */
export class BillingRuleError extends Error {
  constructor(
    message: string,
    readonly kind: 'not_found' | 'conflict' | 'invalid' = 'conflict',
    readonly path?: string,
  ) {
    super(message);
    this.name = 'BillingRuleError';
  }
}
