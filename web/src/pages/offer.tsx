// One offer: the brief, fees and deadline; hackers submit, revise (a new version each time), preview on
// the client's real page or withdraw proposals and see their fate.
import { Alert, Button, Card, Grid, Group, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { api, ApiError, getQuery, must, type Body } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime, yen } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { useSession } from '../app/session.tsx';
import { ChangeSetEditor, emptyDraft, shownInEditor, fromChangeSet, toChangeSet, type ChangeSetDraft } from '../app/changes.tsx';
import { PreviewLink } from '../app/preview-link.tsx';
import { ProposalCard } from '../app/proposal-card.tsx';
import { OfferQuestions } from '../app/offer-questions.tsx';
import { ConfirmButton, ErrorAlert, fieldError, StatusBadge } from '../app/ui.tsx';

interface Draft {
  title: string;
  description: string;
  design_url: string;
  changes: ChangeSetDraft;
}
const blankDraft = (): Draft => ({ title: '', description: '', design_url: '', changes: emptyDraft() });
const bodyOf = (d: Draft) => {
  const changes = toChangeSet(d.changes);
  return { title: d.title, description: d.description, design_url: d.design_url, ...(changes ? { changes } : {}) };
};

/** Title, description, design link and the change set, each with the API's message for it. */
function ProposalFields({ value, onChange, error }: { value: Draft; onChange: (d: Draft) => void; error: unknown }) {
  const { t } = useTranslation();
  const err = (f: string) => fieldError(error, f);
  // The alert only for what no field shows (a message without a field, or about a whole mutation).
  const unplaced = error instanceof ApiError && (error.details.length === 0 || error.details.some((d) => !/^\/body\/(title|description|design_url)$/.test(d.path) && !shownInEditor(d.path)));
  return (
    <>
      <TextInput label={t('offers.proposalTitle')} value={value.title} onChange={(e) => onChange({ ...value, title: e.currentTarget.value })} error={err('title')} />
      <Textarea label={t('offers.description')} value={value.description} onChange={(e) => onChange({ ...value, description: e.currentTarget.value })} error={err('description')} autosize minRows={3} />
      <TextInput label={t('offers.designUrl')} placeholder="https://figma.example/…" value={value.design_url} onChange={(e) => onChange({ ...value, design_url: e.currentTarget.value })} error={err('design_url')} />
      <ChangeSetEditor value={value.changes} onChange={(changes) => onChange({ ...value, changes })} error={error} />
      {error && (unplaced || !(error instanceof ApiError)) ? <ErrorAlert error={error} /> : null}
    </>
  );
}

/** Revising a proposal: the form starts from its current version; saving makes version n+1, never edits one. */
function Revision({ proposalId, onClose, onSaved }: { proposalId: number; onClose: () => void; onSaved: () => unknown }) {
  const q = useQuery(getQuery('/v1/proposals/{id}', { path: { id: proposalId } }));
  if (q.error) return <ErrorAlert error={q.error} />;
  if (!q.data) return null;
  return <RevisionForm key={q.data.version} proposal={q.data} onClose={onClose} onSaved={onSaved} />;
}

function RevisionForm({ proposal: p, onClose, onSaved }: { proposal: Body<'/v1/proposals/{id}', 'get'>; onClose: () => void; onSaved: () => unknown }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => ({ title: p.title, description: p.description, design_url: p.design_url, changes: fromChangeSet(p.changes) }));
  const revise = useMutation({
    // A revision carries over the fields left out: an emptied change set is sent as {} to clear it.
    mutationFn: () => must(api.POST('/v1/proposals/{id}/versions', { params: { path: { id: p.id } }, body: { ...bodyOf(draft), changes: toChangeSet(draft.changes) ?? {} } })),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: queryKey('/v1/proposals/{id}', { path: { id: p.id } }) });
      return onSaved();
    },
  });
  return (
    <Grid data-testid="revision">
      <Grid.Col span={{ base: 12, md: 8 }}>
        <Card withBorder>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              revise.mutate();
            }}
          >
            <Stack>
              <Title order={2} size="h3">{t('revise.title', { title: p.title, n: p.version })}</Title>
              {p.actions.revise.allowed ? (
                <ProposalFields value={draft} onChange={setDraft} error={revise.error} />
              ) : (
                <Alert color="gray">{p.actions.revise.reason ?? t('revise.frozen')}</Alert>
              )}
              <Group>
                {p.actions.revise.allowed && <Button type="submit" loading={revise.isPending}>{t('revise.submit', { n: p.version + 1 })}</Button>}
                <Button variant="default" onClick={onClose}>{t('revise.newProposal')}</Button>
              </Group>
            </Stack>
          </form>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 4 }}>
        {/* The revision form is its author's, whom the preview-link route always allows. */}
        <PreviewLink key={p.version} proposalId={p.id} version={p.version} />
      </Grid.Col>
    </Grid>
  );
}

function OfferPage() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const qc = useQueryClient();
  const id = Number(useParams().id);
  const offer = useQuery({ ...getQuery('/v1/offers/{id}', { path: { id } }), refetchInterval: 5_000 });
  const proposals = useQuery({ ...getQuery('/v1/offers/{id}/proposals', { path: { id } }), enabled: offer.isSuccess, refetchInterval: 5_000 });
  const [draft, setDraft] = useState<Draft>(blankDraft);
  // The proposal being revised (the one just submitted, or one picked from the list).
  const [editing, setEditing] = useState<number | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: queryKey('/v1/offers/{id}/proposals', { path: { id } }) });
  const submit = useMutation({
    mutationFn: () =>
      must(api.POST('/v1/offers/{id}/proposals', { params: { path: { id } }, headers: { 'idempotency-key': crypto.randomUUID() }, body: bodyOf(draft) })),
    onSuccess: (created) => {
      setDraft(blankDraft());
      setEditing(created.id);
      return refresh();
    },
  });
  const withdraw = useMutation({ mutationFn: (pid: number) => must(api.POST('/v1/proposals/{id}/withdraw', { params: { path: { id: pid } } })), onSuccess: refresh });
  if (offer.error) return <ErrorAlert error={offer.error} resource />;
  if (!offer.data) return null;
  const o = offer.data;
  const isHacker = session.can.submit_proposal;
  const open = o.status === 'open' && new Date(o.deadline as string).getTime() > Date.now();
  return (
    <Stack maw={960}>
      <Group justify="space-between">
        <Title order={1}>{t('cycle.offerNo', { id: o.id })}</Title>
        <StatusBadge value={o.status} />
      </Group>
      <Card withBorder>
        <Stack gap="xs">
          <Text fw={600}>{t('offers.brief')}</Text>
          <Text style={{ whiteSpace: 'pre-wrap' }} data-testid="brief">{o.brief}</Text>
          <Text size="sm">{t('offers.fees', { adoption: yen(o.adoption_fee_yen), bonus: yen(o.win_bonus_yen) })}</Text>
          {o.submission_fee_yen > 0 && <Text size="sm">{t('offers.submissionFee', { fee: yen(o.submission_fee_yen) })}</Text>}
          <Text size="sm">{t('offers.deadline', { when: dateTime(o.deadline as string, i18n.language) })}</Text>
          <Text size="sm">{t('cycle.audience')}: {t(`offerKind.${o.kind}`)}</Text>
          {o.widen_reason && <Text size="sm" c="dimmed">{o.widen_reason}</Text>}
        </Stack>
      </Card>
      {/* The brief's numbered addenda (answered questions) come right after it; then pending questions. */}
      <OfferQuestions offerId={o.id} />
      <Title order={2} size="h3">{isHacker ? t('offers.myProposals') : t('cycle.proposals')}</Title>
      <ErrorAlert error={withdraw.error ?? proposals.error} />
      {/* Each proposal with its renders and checks; the author also sees CS's return comment. */}
      <Stack gap="sm">
        {proposals.data?.items.map((p) => (
          <div key={p.id} data-testid="my-proposal">
            <ProposalCard proposal={p} showChanges={!isHacker}>
              {isHacker && open && p.status === 'submitted' && (
                <Group gap="xs">
                  <Button size="xs" variant="light" onClick={() => setEditing(p.id)}>
                    {t('revise.edit')}
                  </Button>
                  <ConfirmButton size="xs" variant="light" color="red" label={t('offers.withdraw')} title={t('offers.withdraw')} body={t('offers.withdrawBody', { title: p.title })} onConfirm={() => withdraw.mutateAsync(p.id).catch(() => undefined)} />
                </Group>
              )}
            </ProposalCard>
          </div>
        ))}
      </Stack>
      {isHacker && open && editing === null && (
        <Card withBorder>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              submit.mutate();
            }}
          >
            <Stack>
              <Title order={2} size="h3">{t('offers.submit')}</Title>
              <ProposalFields value={draft} onChange={setDraft} error={submit.error} />
              <Group>
                <Button type="submit" loading={submit.isPending}>{t('offers.submitButton')}</Button>
              </Group>
            </Stack>
          </form>
        </Card>
      )}
      {editing !== null && <Revision key={editing} proposalId={editing} onClose={() => setEditing(null)} onSaved={refresh} />}
    </Stack>
  );
}

export const page: PageDef = { path: '/offers/:id', can: 'view_offers' };
export default OfferPage;
