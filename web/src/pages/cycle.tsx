// One month's cycle: the plan form (several hypotheses, the client's and CS's: "do both"; past tests
// of the same pages beside it), the offers with audience, deadline and proposal counts, the proposal
// gallery (each proposal's change set, its custom JS to approve) with the selection of 1–3 per offer,
// and the month's tests.
import { Alert, Anchor, Badge, Button, Card, Checkbox, Grid, Group, Select, SimpleGrid, Stack, Table, TagsInput, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, getQuery, must, type Body } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime, percent, yenSpoken } from '../app/format.ts';
import { useMessage } from '../app/messages.ts';
import type { PageDef } from '../app/pages.ts';
import { useSession } from '../app/session.tsx';
import { BriefsCard } from '../app/briefs-card.tsx';
import { ProposalCard } from '../app/proposal-card.tsx';
import { ProposalRenders } from '../app/renders.tsx';
import { ConfirmButton, ErrorAlert, fieldError, LIVE_MS, StatusBadge } from '../app/ui.tsx';

type Cycle = Body<'/v1/cycles/{id}', 'get'>;
interface Hyp {
  author: 'client' | 'cs';
  problem: string;
  page_id: string | null;
  metric: 'conversion' | 'revenue';
  skills: string[];
  offer_kind: string | null;
}

function PlanForm({ cycle }: { cycle: Cycle }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  // The authors the caller may write, from the server's own rule (domain/cycles/plan.ts).
  const mayAuthorCs = cycle.plan_authors.includes('cs');
  const pages = useQuery(getQuery('/v1/engagements/{id}/pages', { path: { id: cycle.engagement_id } }));
  const blank = (author: Hyp['author']): Hyp => ({ author, problem: '', page_id: null, metric: 'conversion', skills: [], offer_kind: null });
  const [hyps, setHyps] = useState<Hyp[]>([blank('client')]);
  const set = (i: number, patch: Partial<Hyp>) => setHyps((hs) => hs.map((h, j) => (j === i ? { ...h, ...patch } : h)));
  const submit = useMutation({
    mutationFn: () =>
      must(
        api.POST('/v1/cycles/{id}/plan', {
          params: { path: { id: cycle.id } },
          body: {
            hypotheses: hyps.map((h) => ({
              author: h.author,
              problem: h.problem,
              page_id: Number(h.page_id ?? 0),
              metric: h.metric,
              ...(h.skills.length ? { skills: h.skills } : {}),
              ...(h.offer_kind ? { offer_kind: h.offer_kind as 'open' } : {}),
            })),
          },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKey('/v1/cycles/{id}', { path: { id: cycle.id } }) }),
  });
  const err = (f: string) => fieldError(submit.error, f);
  const history = cycle.live?.history ?? [];
  const pageOptions = (pages.data?.items ?? []).map((p) => ({ value: String(p.id), label: `${p.page_type} — ${p.url}` }));
  const selectedPages = new Set(hyps.map((h) => Number(h.page_id)));
  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 8 }}>
        <Card withBorder>
          <Stack>
            <Title order={2} size="h3">{t('cycle.planTitle')}</Title>
            <Text size="sm">{t('cycle.planIntro')}</Text>
            {hyps.map((h, i) => (
              <Card withBorder key={i} padding="sm" data-testid="hypothesis">
                <Stack gap="xs">
                  <Group justify="space-between">
                    <Text fw={600}>{t('cycle.hypothesisNo', { n: i + 1 })}</Text>
                    {hyps.length > 1 && (
                      <Button size="xs" variant="subtle" color="red" onClick={() => setHyps((hs) => hs.filter((_, j) => j !== i))}>
                        {t('common.remove')}
                      </Button>
                    )}
                  </Group>
                  <SimpleGrid cols={{ base: 1, md: 3 }}>
                    <Select
                      label={t('cycle.author')}
                      data={[{ value: 'client', label: t('cycle.authorClient') }, ...(mayAuthorCs ? [{ value: 'cs', label: t('cycle.authorCs') }] : [])]}
                      value={h.author}
                      onChange={(v) => set(i, { author: (v ?? 'client') as Hyp['author'] })}
                      allowDeselect={false}
                      error={err(`hypotheses/${i}/author`)}
                    />
                    <Select label={t('cycle.page')} data={pageOptions} value={h.page_id} onChange={(v) => set(i, { page_id: v })} error={err(`hypotheses/${i}/page_id`)} />
                    <Select
                      label={t('cycle.metric')}
                      data={[{ value: 'conversion', label: t('cycle.metricConversion') }, { value: 'revenue', label: t('cycle.metricRevenue') }]}
                      value={h.metric}
                      onChange={(v) => set(i, { metric: (v ?? 'conversion') as Hyp['metric'] })}
                      allowDeselect={false}
                    />
                  </SimpleGrid>
                  <Textarea label={t('cycle.problem')} value={h.problem} onChange={(e) => set(i, { problem: e.currentTarget.value })} error={err(`hypotheses/${i}/problem`)} autosize minRows={2} />
                  <SimpleGrid cols={{ base: 1, md: 2 }}>
                    <TagsInput label={t('cycle.skills')} value={h.skills} onChange={(v) => set(i, { skills: v })} error={err(`hypotheses/${i}/skills`)} />
                    <Select
                      label={t('cycle.offerKind')}
                      placeholder={t('cycle.offerKindDefault')}
                      clearable
                      data={['open', 'targeted', 'team'].map((k) => ({ value: k, label: t(`offerKind.${k}`) }))}
                      value={h.offer_kind}
                      onChange={(v) => set(i, { offer_kind: v })}
                      error={err(`hypotheses/${i}/offer_kind`)}
                    />
                  </SimpleGrid>
                </Stack>
              </Card>
            ))}
            <Group>
              <Button variant="light" onClick={() => setHyps((hs) => [...hs, blank(mayAuthorCs ? 'cs' : 'client')])}>
                {t('cycle.addHypothesis')}
              </Button>
            </Group>
            <Text size="sm" c="dimmed">{t('cycle.doBoth')}</Text>
            {submit.error && <ErrorAlert error={submit.error} />}
            <Group>
              <ConfirmButton
                label={t('cycle.submitPlan')}
                title={t('cycle.submitPlan')}
                body={t('cycle.submitPlanBody', { count: hyps.length })}
                onConfirm={() => submit.mutateAsync().catch(() => undefined)}
              />
            </Group>
          </Stack>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 4 }}>
        <Card withBorder>
          <Title order={2} size="h4">{t('cycle.history')}</Title>
          {history.length === 0 && <Text size="sm">{t('cycle.noHistory')}</Text>}
          {history.map((p) => (
            <Stack key={p.testId} gap={0} mt="xs" data-testid="history-item">
              <Anchor component={Link} to={`/tests/${p.testId}`} size="sm" fw={selectedPages.has(p.pageId) ? 700 : 400}>
                {p.month}: {p.hypothesis}
              </Anchor>
              <Text size="xs">
                {p.change} — {t(`status.${p.outcome}`)} {p.lift !== null ? percent(p.lift) : ''}
              </Text>
            </Stack>
          ))}
        </Card>
      </Grid.Col>
    </Grid>
  );
}

function OfferProposals({ offerId, chosen, toggle }: { offerId: number; chosen: number[]; toggle: (id: number) => void }) {
  const { t } = useTranslation();
  const q = useQuery(getQuery('/v1/offers/{id}/proposals', { path: { id: offerId } }));
  const offer = useQuery(getQuery('/v1/offers/{id}', { path: { id: offerId } }));
  const submitted = (q.data?.items ?? []).filter((p) => p.status === 'submitted' || p.status === 'selected');
  return (
    <Card withBorder>
      <Stack>
        <Text fw={600}>{t('cycle.offerNo', { id: offerId })}: {offer.data?.brief}</Text>
        <Text size="sm" c="dimmed">{t('cycle.pickUpTo3')}</Text>
        {/* One proposal a row: its PC and phone images beside the current page's need the width. */}
        <Stack gap="sm">
          {submitted.map((p) => (
            <ProposalCard key={p.id} proposal={p}>
              <Checkbox
                label={t('cycle.select')}
                checked={chosen.includes(p.id)}
                disabled={!chosen.includes(p.id) && chosen.length >= 3}
                onChange={() => toggle(p.id)}
              />
            </ProposalCard>
          ))}
        </Stack>
        {q.isSuccess && submitted.length === 0 && <Text size="sm">{t('cycle.noProposals')}</Text>}
      </Stack>
    </Card>
  );
}

function SelectionForm({ cycle }: { cycle: Cycle }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const offers = (cycle.live?.offers ?? []).filter((o) => o.proposals > 0);
  const [chosen, setChosen] = useState<Record<number, number[]>>({});
  const toggle = (offerId: number, id: number) =>
    setChosen((c) => {
      const cur = c[offerId] ?? [];
      return { ...c, [offerId]: cur.includes(id) ? cur.filter((x) => x !== id) : [...cur, id] };
    });
  const submit = useMutation({
    mutationFn: () =>
      must(
        api.POST('/v1/cycles/{id}/selection', {
          params: { path: { id: cycle.id } },
          body: { selections: Object.entries(chosen).filter(([, ids]) => ids.length).map(([offer, ids]) => ({ offer_id: Number(offer), proposal_ids: ids })) },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKey('/v1/cycles/{id}', { path: { id: cycle.id } }) }),
  });
  const total = Object.values(chosen).reduce((n, ids) => n + ids.length, 0);
  return (
    <Stack>
      <Title order={2} size="h3">{t('cycle.selectionTitle')}</Title>
      {offers.map((o) => (
        <OfferProposals key={o.offerId} offerId={o.offerId} chosen={chosen[o.offerId] ?? []} toggle={(id) => toggle(o.offerId, id)} />
      ))}
      {submit.error && <ErrorAlert error={submit.error} />}
      {submit.data && submit.data.pending_offers.length > 0 && <Alert color="yellow">{t('cycle.pendingOffers', { ids: submit.data.pending_offers.join(', ') })}</Alert>}
      <Group>
        <ConfirmButton
          label={t('cycle.confirmSelection')}
          disabled={total === 0}
          title={t('cycle.confirmSelection')}
          body={t('cycle.confirmSelectionBody', { count: total })}
          onConfirm={() => submit.mutateAsync().catch(() => undefined)}
        />
      </Group>
    </Stack>
  );
}

/** One offer of the month: its hypothesis (the brief) and, once chosen, the selected proposals with their images. */
function OfferSummary({ offerId, selected }: { offerId: number; selected: Cycle['selected'][number]['proposals'] }) {
  const { t } = useTranslation();
  const offer = useQuery(getQuery('/v1/offers/{id}', { path: { id: offerId } }));
  return (
    <Card withBorder padding="sm" data-testid="offer-summary">
      <Stack gap="xs">
        <Group gap="xs">
          <Anchor component={Link} to={`/offers/${offerId}`} fw={600}>{t('cycle.offerNo', { id: offerId })}</Anchor>
          {offer.data && <Badge variant="light" color="gray">{t(`offerKind.${offer.data.kind}`)}</Badge>}
        </Group>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="hypothesis-text">{offer.data?.brief}</Text>
        {selected.map((p) => (
          <Stack key={p.id} gap={4} data-testid="selected-proposal">
            <Text size="sm">
              <Text span fw={600}>{p.title}</Text> <Text span c="dimmed" size="xs">— {t('tests.byAuthor', { who: p.author })}</Text>
            </Text>
            <ProposalRenders renders={p.renders} version={p.version} title={p.title} />
          </Stack>
        ))}
      </Stack>
    </Card>
  );
}

interface ReportShape {
  tests?: { test_id: number; outcome: string; lift: number | null; lift_ci?: [number | null, number | null] | null; monthly_revenue_uplift_yen: number }[];
  winners?: number;
  monthly_revenue_uplift_yen?: number;
}

/** The cycle report once completed: each test's outcome and lift, the month's revenue uplift in yen. */
function CycleReport({ report, engagementId }: { report: ReportShape; engagementId: number }) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  return (
    <Card withBorder data-testid="cycle-report">
      <Stack gap="xs">
        <Title order={2} size="h3">{t('cycle.report')}</Title>
        <Text size="lg" fw={700} data-testid="uplift">
          {t('cycle.uplift', { amount: yenSpoken(report.monthly_revenue_uplift_yen ?? 0, i18n.language), winners: report.winners ?? 0, tests: report.tests?.length ?? 0 })}
        </Text>
        <Text size="xs" c="dimmed">{t('cycle.upliftBasis')}</Text>
        {session.can.view_revenue && <Anchor component={Link} to={`/engagements/${engagementId}/revenue`} size="sm">{t('revenue.open')}</Anchor>}
        {(report.tests ?? []).map((x) => (
          <Group key={x.test_id} gap="xs">
            <Anchor component={Link} to={`/tests/${x.test_id}`} size="sm">{t('tests.number', { id: x.test_id })}</Anchor>
            <StatusBadge value={x.outcome} />
            {x.lift !== null && <Text size="sm">{t('cycle.liftWithBound', { lift: percent(x.lift), low: percent(x.lift_ci?.[0]) })}</Text>}
            {x.monthly_revenue_uplift_yen > 0 && <Text size="sm" data-testid="test-uplift">{t('cycle.testUplift', { amount: yenSpoken(x.monthly_revenue_uplift_yen, i18n.language) })}</Text>}
          </Group>
        ))}
      </Stack>
    </Card>
  );
}

const LIVE_PHASES = ['planning', 'offer_posting', 'proposals', 'selection', 'test_run', 'verdict', 'knowledge_capture', 'earnings'];

function CyclePage() {
  const { t, i18n } = useTranslation();
  const m = useMessage();
  const id = Number(useParams().id);
  const q = useQuery({
    ...getQuery('/v1/cycles/{id}', { path: { id } }),
    refetchInterval: (query) => (LIVE_PHASES.includes(query.state.data?.phase ?? 'planning') ? LIVE_MS : false),
  });
  if (q.error) return <ErrorAlert error={q.error} resource />;
  if (!q.data) return null;
  const c = q.data;
  // The month's offers: the workflow's live view, and the selections the database keeps (live is null when no worker answers).
  const offerIds = [...new Set([...(c.live?.offers ?? []).map((o) => o.offerId), ...c.selected.map((x) => x.offer_id)])];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('cycle.title', { month: c.month })}</Title>
        <Group>
          <Badge size="lg" data-testid="phase">{t(`phase.${c.phase}`)}</Badge>
          <Anchor component={Link} to={`/engagements/${c.engagement_id}`}>{t('engagements.number', { id: c.engagement_id })}</Anchor>
        </Group>
      </Group>
      {c.waiting_for && (
        <Alert color={c.overdue ? 'red' : 'blue'}>
          {t('engagements.waitingFor', { who: m.waitingFor(c) })}
          {c.due_at ? ` — ${t('engagements.until', { when: dateTime(c.due_at as string, i18n.language) })}` : ''}
          {c.overdue ? ` (${t('tasks.overdue')})` : ''}
        </Alert>
      )}
      {c.end_reason && <Alert color="gray">{c.end_reason}</Alert>}
      {c.phase === 'planning' && <BriefsCard cycleId={c.id} canCreate={c.actions.plan.allowed} />}
      {c.phase === 'planning' && c.actions.plan.allowed && <PlanForm cycle={c} />}
      {(c.live?.offers.length ?? 0) > 0 && (
        <Card withBorder>
          <Title order={2} size="h3">{t('cycle.offers')}</Title>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('cycle.offer')}</Table.Th>
                <Table.Th>{t('cycle.audience')}</Table.Th>
                <Table.Th>{t('cycle.deadline')}</Table.Th>
                <Table.Th ta="right">{t('cycle.proposals')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.live!.offers.map((o) => (
                <Table.Tr key={o.offerId}>
                  <Table.Td>
                    <Anchor component={Link} to={`/offers/${o.offerId}`}>{t('cycle.offerNo', { id: o.offerId })}</Anchor>
                  </Table.Td>
                  <Table.Td>
                    {t(`offerKind.${o.kind}`)} {o.extended && <Badge color="yellow" size="sm">{t('cycle.extended')}</Badge>}
                  </Table.Td>
                  <Table.Td>{dateTime(o.deadline, i18n.language)}</Table.Td>
                  <Table.Td ta="right" data-testid="proposal-count">{o.proposals}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
      {offerIds.length > 0 && (
        <Stack gap="sm">
          <Title order={2} size="h3">{t('cycle.hypotheses')}</Title>
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            {offerIds.map((id) => (
              <OfferSummary key={id} offerId={id} selected={c.selected.find((x) => x.offer_id === id)?.proposals ?? []} />
            ))}
          </SimpleGrid>
        </Stack>
      )}
      {c.phase === 'selection' && c.actions.select.allowed && <SelectionForm cycle={c} />}
      {(c.live?.tests.length ?? 0) > 0 && (
        <Card withBorder>
          <Title order={2} size="h3">{t('cycle.tests')}</Title>
          <Stack gap="xs" mt="xs">
            {c.live!.tests.map((x) => (
              <Group key={x.testId}>
                <Anchor component={Link} to={`/tests/${x.testId}`} data-testid="test-link">
                  {t('tests.number', { id: x.testId })}
                </Anchor>
                <Text size="sm">{t('cycle.offerNo', { id: x.offerId })}</Text>
                {x.outcome ? <StatusBadge value={x.outcome} /> : <StatusBadge value="running" />}
              </Group>
            ))}
          </Stack>
        </Card>
      )}
      {c.report ? <CycleReport report={c.report as ReportShape} engagementId={c.engagement_id} /> : null}
    </Stack>
  );
}

export const page: PageDef = { path: '/cycles/:id', can: 'view_cycles' };
export default CyclePage;
