// Entry point the Worker bundles: every workflow type the project runs.
export { engagementWorkflow } from './engagement.ts';
export { improvementCycleWorkflow } from './cycle.ts';
export { abTestWorkflow } from './ab-test.ts';
export { payoutRunWorkflow, payoutScheduleWorkflow } from './payout-run.ts';
export { invoicingWorkflow, invoicingScheduleWorkflow } from './invoicing.ts';
export { networkMonthWorkflow } from './network-month.ts';
export { myNumberRetentionWorkflow } from './my-number-retention.ts';
export { renderVersionWorkflow } from './render.ts';
export { notificationDigestWorkflow, notifyEventWorkflow } from './notify.ts';
export { webhookDeliveryWorkflow } from './webhook-delivery.ts';
