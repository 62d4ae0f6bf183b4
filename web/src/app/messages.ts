// What the API says, in the reader's language: the API answers codes and parameters beside its English
// text (src/domain/messages.ts); this is the one place that turns them into sentences from
// i18n/{ja,en}.json (`msg.*`). A code this version does not know falls back to the API's text in
// English only — never English inside the Japanese UI (test/unit/web-messages.test.ts keeps every
// server code translated).
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError, type ApiErrorDetail } from '../api/client.ts';
import i18n from '../i18n/index.ts';
import { useSession } from './session.tsx';

type Params = Record<string, string | number>;

/** A message by kind and code (`waiting.payout.review`), or undefined when the catalogue lacks it. */
export function message(t: TFunction, kind: string, code: string | null | undefined, params: Params = {}): string | undefined {
  if (!code) return undefined;
  const key = `msg.${kind}.${code}`;
  return i18n.exists(key) ? t(key, params) : undefined;
}

/** What is wrong with one field, in words ("半角英数字で…"); the API's sentence for a rule it names. */
export function fieldMessage(d: ApiErrorDetail, t: TFunction = i18n.t): string {
  // A use case's rule, or a check with no words of its own, has the API's sentence (English); in
  // Japanese the field's code says it generally.
  if ((d.code === 'rule' || d.code === 'invalid') && i18n.language === 'en') return d.message;
  return message(t, 'field', d.code, d.params) ?? (i18n.language === 'en' ? d.message : t('msg.field.invalid'));
}

const fieldOf = (d: ApiErrorDetail) => d.path.replace(/^\/(body|querystring|params)\//, '');

/**
 * An error answer mapped onto a form's fields (Mantine `form.setErrors(formErrors(err))`, or
 * `error={formErrors(err).industry}`): keys are the paths below /body, e.g. "pages/0/url".
 */
export function formErrors(err: unknown, t: TFunction = i18n.t): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const d of err.details) {
    const field = fieldOf(d);
    out[field] ??= fieldMessage(d, t);
    // An item of a list (tags/1) is shown at the list's input too.
    const list = field.replace(/\/\d+$/, '');
    if (list !== field) out[list] ??= out[field]!;
  }
  return out;
}

/** An error answer as one sentence: the broken rule's own, else its code's; English may add the API's detail. */
export function errorText(err: unknown, t: TFunction = i18n.t): string {
  if (!(err instanceof ApiError)) return String((err as Error)?.message ?? err);
  const rule = message(t, 'rule', err.params.rule as string | undefined, err.params);
  if (rule) return rule;
  const general = message(t, 'error', err.code, err.params) ?? (err.status >= 400 && err.status < 500 ? t('msg.error.bad_request') : t('msg.error.internal_error'));
  return i18n.language === 'en' ? err.message : general;
}

interface WaitingFor {
  waiting_for: string | null;
  waiting_for_code?: string | null;
  waiting_for_params?: Params;
}

interface Actor {
  actor: string;
  actor_user_id?: number | null;
  actor_name?: string | null;
}

/** The page-side helper: sentences for waiting-for, warnings, audit actions and people. */
export function useMessage() {
  const { t } = useTranslation();
  const session = useSession();
  const person = (id: number | null | undefined, name: string | null | undefined) =>
    id != null && id === session.user.id ? t('msg.actor.you') : (name ?? (id != null ? t('payouts.userNo', { id }) : '—'));
  return {
    /** What something waits for, from its code (the text only for a code this version does not know, in English). */
    waitingFor: (v: WaitingFor) =>
      message(t, 'waiting', v.waiting_for_code === 'other' ? null : v.waiting_for_code, v.waiting_for_params) ??
      (i18n.language === 'en' ? (v.waiting_for ?? '') : t('msg.ui.waitingUnknown')),
    /** A view's warning: its title and what to check. */
    warning: (w: { code: string; params: Params }) => ({ title: t(`msg.warning.${w.code}.title`, w.params), body: t(`msg.warning.${w.code}.body`, w.params) }),
    /** A payout audit action. */
    audit: (action: string) => message(t, 'audit', action) ?? action.replace(/_/g, ' '),
    /** Who acted: "you"/"あなた" for the reader, the person's name, the system or the schedule. */
    actor: (a: Actor) => (a.actor.startsWith('user:') ? person(a.actor_user_id ?? Number(a.actor.slice(5)), a.actor_name) : (message(t, 'actor', a.actor) ?? a.actor)),
    /** A person by id and name: "you" when it is the reader. */
    person,
    error: (err: unknown) => errorText(err, t),
  };
}
