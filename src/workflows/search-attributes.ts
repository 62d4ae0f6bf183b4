// Search attributes are indexed and never encrypted: ids and phases only, never personal data.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const EngagementIdKey = defineSearchAttributeKey('EngagementId', SearchAttributeType.KEYWORD);
export const ClientIdKey = defineSearchAttributeKey('ClientId', SearchAttributeType.KEYWORD);
export const EngagementStatusKey = defineSearchAttributeKey('EngagementStatus', SearchAttributeType.KEYWORD);
export const CycleMonthKey = defineSearchAttributeKey('CycleMonth', SearchAttributeType.KEYWORD);
export const CyclePhaseKey = defineSearchAttributeKey('CyclePhase', SearchAttributeType.KEYWORD);
export const OfferKindKey = defineSearchAttributeKey('OfferKind', SearchAttributeType.KEYWORD);
export const PayoutMonthKey = defineSearchAttributeKey('PayoutMonth', SearchAttributeType.KEYWORD);
export const PayoutStatusKey = defineSearchAttributeKey('PayoutStatus', SearchAttributeType.KEYWORD);

/** Every key the project uses; registered on the dev server and by `kaizen migrate`. */
export const SEARCH_ATTRIBUTE_NAMES = [
  EngagementIdKey,
  ClientIdKey,
  EngagementStatusKey,
  CycleMonthKey,
  CyclePhaseKey,
  OfferKindKey,
  PayoutMonthKey,
  PayoutStatusKey,
].map((k) => k.name);
