// Entry point the Worker bundles: every workflow type the project runs.
export { engagementWorkflow } from './engagement.ts';
