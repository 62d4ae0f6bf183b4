// One A/B test: exposures and conversions per variant, the lift with its confidence interval at each
// interim check (a chart), the SRM and apply-failure warnings, the final verdict in plain words, whether
// its winner is served (and "shipped"), its kill switch, and the learnings.
import { LineChart } from '@mantine/charts';
import { Alert, Badge, Button, Card, Group, SimpleGrid, Stack, Table, TagsInput, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, getQuery, must, type Body } from '../api/client.ts';
import { queryKey, type ListShape } from '../api/keys.ts';
import { dateTime, percent } from '../app/format.ts';
import { useMessage } from '../app/messages.ts';
import type { PageDef } from '../app/pages.ts';
import { ArmImages } from '../app/renders.tsx';
import { MetricsSection } from '../app/metrics.tsx';
import { ConfirmButton, ErrorAlert, fieldError, KillSwitch, LIVE_MS, StatusBadge } from '../app/ui.tsx';

type Verdict = Body<'/v1/tests/{id}/verdicts', 'get'>['items'][number];
interface VResult {
  variants?: { arm: string; expected?: number; ci?: (number | null)[]; p_value?: number; chance_to_win?: number; error?: string }[];
  srm_p_value?: number;
  decision?: { outcome: string; arm?: string; reason?: string; guardrail?: { id: string }; correction?: { method: string; comparisons: number } };
}
const SRM_THRESHOLD = 0.001;
const armLabel = (arm: string, t: TFunction) => (arm === 'control' ? t('tests.control') : t('tests.variant', { arm }));

/** "Variant B wins: +12% (95% CI +4% to +20%) · Corrected for 3 comparisons (Holm)" */
export function verdictSentence(v: Verdict, level: number, t: TFunction): string {
  const r = v.result as VResult;
  const sentence = outcomeSentence(r, v, level, t);
  // verdicts since issue 25 record their correction: the sentence says it and over how many comparisons
  const c = r.decision?.outcome === 'invalid' ? undefined : r.decision?.correction;
  return c ? `${sentence} · ${t(`metrics.correction.${c.method}`, { n: c.comparisons })}` : sentence;
}

function outcomeSentence(r: VResult, v: Verdict, level: number, t: TFunction): string {
  const outcome = r.decision?.outcome ?? v.outcome;
  if (outcome === 'invalid') return t('tests.sentence.invalid', { reason: r.decision?.reason ?? v.invalidation_reason ?? '' });
  const variants = r.variants ?? [];
  const best = variants.find((x) => x.arm === r.decision?.arm) ?? [...variants].sort((a, b) => (b.expected ?? 0) - (a.expected ?? 0))[0];
  if (!best || best.expected === undefined) return t('tests.sentence.none');
  const ci = best.ci ?? [];
  const args = {
    arm: best.arm,
    lift: percent(best.expected, 0),
    level,
    low: ci[0] === null || ci[0] === undefined ? '−∞' : percent(ci[0], 0),
    high: ci[1] === null || ci[1] === undefined ? '+∞' : percent(ci[1], 0),
  };
  if (outcome === 'winner') return t('tests.sentence.winner', args);
  if (outcome === 'blocked_by_guardrail') return t('tests.sentence.blocked', { ...args, guardrail: r.decision?.guardrail?.id ?? '' });
  if (outcome === 'loser') return t('tests.sentence.loser', args);
  return t('tests.sentence.inconclusive', args);
}

function Learnings({ testId, cycleId, learnings, mayAdd }: { testId: number; cycleId: number; learnings: Body<'/v1/tests/{id}', 'get'>['learnings']; mayAdd: boolean }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const cycle = useQuery({ ...getQuery('/v1/cycles/{id}', { path: { id: cycleId } }), refetchInterval: LIVE_MS });
  const [text, setText] = useState('');
  const [tags, setTags] = useState<string[]>([]);
  const vocab = useQuery(getQuery('/v1/vocabularies', {}));
  const add = useMutation({
    mutationFn: () => must(api.POST('/v1/tests/{id}/learnings', { params: { path: { id: testId } }, body: { learnings: text, ...(tags.length ? { tags } : {}) } })),
    onSuccess: () => {
      setText('');
      setTags([]);
      return qc.invalidateQueries({ queryKey: queryKey('/v1/tests/{id}', { path: { id: testId } }) });
    },
  });
  const capturing = cycle.data?.phase === 'knowledge_capture';
  return (
    <Card withBorder>
      <Stack>
        <Title order={2} size="h3">{t('tests.learnings')}</Title>
        {learnings.map((l) => (
          <Text key={l.id} size="sm" data-testid="learning">
            {l.text} <Text span c="dimmed" size="xs">— {l.author_name}, {dateTime(l.created_at as string, i18n.language)}</Text>
          </Text>
        ))}
        {learnings.length === 0 && <Text size="sm">{t('tests.noLearnings')}</Text>}
        {capturing && mayAdd && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              add.mutate();
            }}
          >
            <Stack>
              <Text size="sm">{t('tests.captureOpen')}</Text>
              <Textarea label={t('tests.learning')} value={text} onChange={(e) => setText(e.currentTarget.value)} error={fieldError(add.error, 'learnings')} autosize minRows={3} />
              <TagsInput label={t('tests.tags')} description={t('msg.ui.suggestions')} value={tags} onChange={setTags} data={vocab.data?.tags ?? []} error={fieldError(add.error, 'tags')} data-testid="learning-tags" />
              {add.error && !fieldError(add.error, 'learnings') && !fieldError(add.error, 'tags') ? <ErrorAlert error={add.error} /> : null}
              <Group>
                <Button type="submit" loading={add.isPending}>{t('tests.addLearning')}</Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Card>
  );
}

type Test = Body<'/v1/tests/{id}', 'get'>;

/** Each arm as it looked: the control (the current page) and each variant's proposal; a finished test marks its winner. */
function ArmsShown({ test }: { test: Test }) {
  const { t } = useTranslation();
  const arms = test.arms;
  const decision = (test.final_verdict?.result as VResult | undefined)?.decision;
  const winner = test.final_verdict?.outcome === 'winner' ? decision?.arm : undefined;
  return (
    <Card withBorder data-testid="arms-shown">
      <Stack gap="sm">
        <Title order={2} size="h3">{t('tests.armsTitle')}</Title>
        <SimpleGrid cols={{ base: 1, md: Math.min(arms.length, 3) }}>
          {arms.map((a) => {
            const label = armLabel(a.arm, t);
            return (
              <Stack key={a.variant_id} gap="xs" style={{ minWidth: 0 }} data-testid="arm-card" data-arm={a.arm}>
                <Group gap="xs">
                  <Text fw={600}>{label}</Text>
                  {winner === a.arm && <Badge color="green" variant="light" data-testid="winner-badge">{t('tests.winnerArm')}</Badge>}
                  {winner && a.arm === 'control' && <Badge color="gray" variant="light">{t('tests.beaten')}</Badge>}
                </Group>
                {a.proposal && (
                  <Text size="sm" data-testid="arm-proposal">
                    {a.proposal.title}
                    <Text span c="dimmed" size="xs"> — {t('tests.byAuthor', { who: a.proposal.author })}</Text>
                  </Text>
                )}
                <ArmImages images={a.images} label={a.proposal ? `${label}: ${a.proposal.title}` : label} />
              </Stack>
            );
          })}
        </SimpleGrid>
      </Stack>
    </Card>
  );
}

/** Whether the test's changes reach the page: its kill switch, and (after a win) the winner served to everyone until shipped. */
function Delivery({ test }: { test: Test }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: queryKey('/v1/tests/{id}', { path: { id: test.id } }) });
  const kill = useMutation({ mutationFn: (on: boolean) => must(api.PUT('/v1/tests/{id}/kill-switch', { params: { path: { id: test.id } }, body: { on } })), onSuccess: refresh });
  const ship = useMutation({ mutationFn: () => must(api.POST('/v1/tests/{id}/shipped', { params: { path: { id: test.id } } })), onSuccess: refresh });
  return (
    <Stack gap="xs" data-testid="delivery">
      {test.kill_switch && <Alert color="orange" data-testid="kill-on">{t('kill.on')}</Alert>}
      {test.serving && (
        <Group>
          <Text size="sm" data-testid="serving">{t('tests.serving')}</Text>
          {test.actions.mark_shipped.allowed && (
            <ConfirmButton size="xs" variant="light" label={t('tests.markShipped')} title={t('tests.markShipped')} body={t('tests.markShippedBody')} onConfirm={() => ship.mutateAsync().catch(() => undefined)} />
          )}
        </Group>
      )}
      {test.actions.kill_switch.allowed && (
        <KillSwitch label={t('kill.testLabel')} on={test.kill_switch} onBody={t('kill.testOnBody')} offBody={t('kill.testOffBody')} set={(on) => kill.mutateAsync(on)} />
      )}
      <ErrorAlert error={kill.error ?? ship.error} />
    </Stack>
  );
}

function TestPage() {
  const { t, i18n } = useTranslation();
  const m = useMessage();
  const qc = useQueryClient();
  const id = Number(useParams().id);
  const q = useQuery({
    ...getQuery('/v1/tests/{id}', { path: { id } }),
    refetchInterval: (query) => (query.state.data?.status === 'running' ? LIVE_MS : 10_000),
  });
  const running = q.data?.status === 'running';
  const verdicts = useQuery({
    // Every page (at most 20), again whenever the test has checked again or ended.
    queryKey: queryKey('/v1/tests/{id}/verdicts', { path: { id } }, 'every' satisfies ListShape, q.data?.interim_checks, q.data?.status),
    enabled: q.isSuccess,
    queryFn: async () => {
      const all: Verdict[] = [];
      let after: number | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await must(api.GET('/v1/tests/{id}/verdicts', { params: { path: { id }, query: { limit: 500, after_id: after } } }));
        all.push(...page.items);
        if (!page.next_after_id) break;
        after = page.next_after_id;
      }
      return all;
    },
  });
  const settings = useQuery({ ...getQuery('/v1/engagements/{id}/settings', { path: { id: q.data?.engagement_id ?? 0 } }), enabled: q.isSuccess });
  const [reason, setReason] = useState('');
  const stop = useMutation({
    mutationFn: () => must(api.POST('/v1/tests/{id}/stop', { params: { path: { id } }, body: { reason } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKey('/v1/tests/{id}', { path: { id } }) }),
  });
  if (q.error) return <ErrorAlert error={q.error} resource />;
  if (!q.data) return null;
  const test = q.data;
  const level = Math.round((1 - (settings.data?.alpha ?? 0.05)) * 100);
  // Checks before any traffic have no effect to draw (the engine reports an error per variant).
  const interim = (verdicts.data ?? []).filter((v) => v.kind === 'interim' && ((v.result as VResult).variants ?? []).some((x) => x.expected !== undefined && !x.error));
  const treatments = [...new Set(interim.flatMap((v) => ((v.result as VResult).variants ?? []).map((x) => x.arm)))];
  const chartData = interim.map((v) => {
    const row: Record<string, number | string | null> = { check: `#${v.check_no}` };
    for (const x of (v.result as VResult).variants ?? []) {
      if (x.expected === undefined || x.error) continue;
      row[`${x.arm}`] = +(x.expected * 100).toFixed(2);
      row[`${x.arm}_low`] = x.ci?.[0] === null || x.ci?.[0] === undefined ? null : +(x.ci[0] * 100).toFixed(2);
      row[`${x.arm}_high`] = x.ci?.[1] === null || x.ci?.[1] === undefined ? null : +(x.ci[1] * 100).toFixed(2);
    }
    return row;
  });
  const colors = ['indigo.6', 'teal.6', 'grape.6'];
  const series = treatments.flatMap((arm, i) => [
    { name: arm, label: t('tests.liftOf', { arm }), color: colors[i % 3]! },
    { name: `${arm}_low`, label: t('tests.ciLow', { arm }), color: colors[i % 3]!, strokeDasharray: '4 4' },
    { name: `${arm}_high`, label: t('tests.ciHigh', { arm }), color: colors[i % 3]!, strokeDasharray: '4 4' },
  ]);
  const latest = test.final_verdict ?? interim.at(-1);
  const srm = (latest?.result as VResult | undefined)?.srm_p_value;
  const total = test.arms.reduce((n, a) => n + a.n, 0);
  return (
    <Stack>
      <Group justify="space-between">
        <Stack gap={0}>
          <Title order={1}>{t('tests.number', { id: test.id })}</Title>
          {test.hypothesis && <Text fw={600} data-testid="hypothesis">{test.hypothesis}</Text>}
        </Stack>
        <Group>
          <StatusBadge value={test.status} />
          <Link to={`/cycles/${test.cycle_id}`}>{t('tests.backToCycle')}</Link>
        </Group>
      </Group>
      {test.final_verdict && (
        <Alert color={test.final_verdict.outcome === 'winner' ? 'green' : test.final_verdict.outcome === 'invalid' ? 'red' : 'gray'} title={t('tests.finalVerdict')} data-testid="verdict">
          <Text fw={700}>{verdictSentence(test.final_verdict, level, t)}</Text>
          {test.final_verdict.invalidated_at && <Text size="sm">{t('tests.invalidated', { reason: test.final_verdict.invalidation_reason ?? '' })}</Text>}
        </Alert>
      )}
      {!test.final_verdict && latest && (
        <Alert color="blue" title={t('tests.interimVerdict', { n: latest.check_no })}>
          {verdictSentence(latest, level, t)}
        </Alert>
      )}
      {srm !== undefined && srm < SRM_THRESHOLD && total > 0 && (
        <Alert color="red" title={t('tests.srmTitle')} data-testid="srm">
          {t('tests.srmBody', { p: srm.toExponential(2) })}
        </Alert>
      )}
      {test.warnings.map((w) => (
        <Alert key={w.code} color="orange" title={m.warning(w).title} data-testid="test-warning">
          {m.warning(w).body}
        </Alert>
      ))}
      {test.health_warnings.map((w) => (
        <Alert key={w} color="red" title={t('tests.applyFailureTitle')} data-testid="apply-failure">
          {w}
        </Alert>
      ))}
      <ArmsShown test={test} />
      <Delivery test={test} />
      <Text size="sm">
        {t('tests.planned', { n: test.planned_sample_total.toLocaleString('en-US'), seen: total.toLocaleString('en-US') })} · {t('tests.started', { when: dateTime(test.started_at as string, i18n.language) })}
        {test.stop_reason ? ` · ${t('tests.stopReason', { reason: test.stop_reason })}` : ''}
      </Text>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('tests.arm')}</Table.Th>
            <Table.Th ta="right">{t('tests.exposures')}</Table.Th>
            <Table.Th ta="right">{t('tests.conversions')}</Table.Th>
            <Table.Th ta="right">{t('tests.rate')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {test.arms.map((a) => (
            <Table.Tr key={a.variant_id} data-testid="arm">
              <Table.Td>{armLabel(a.arm, t)}</Table.Td>
              <Table.Td ta="right">{a.n.toLocaleString('en-US')}</Table.Td>
              <Table.Td ta="right">{a.conversions.toLocaleString('en-US')}</Table.Td>
              <Table.Td ta="right">{a.n ? `${((a.conversions / a.n) * 100).toFixed(2)}%` : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Card withBorder>
        <Title order={2} size="h3">{t('tests.chartTitle', { level })}</Title>
        {chartData.length > 0 ? (
          <LineChart h={260} data={chartData} dataKey="check" series={series} unit="%" withLegend connectNulls referenceLines={[{ y: 0, color: 'gray.5' }]} />
        ) : (
          // Checks ran before any visitor came: say so, rather than "no checks" beside their count.
          <Text size="sm">{test.interim_checks > 0 ? t('msg.ui.checksNoData', { n: test.interim_checks }) : t('tests.noChecks')}</Text>
        )}
        <Badge variant="light" mt="xs">{t('tests.checks', { n: test.interim_checks })}</Badge>
      </Card>
      <MetricsSection report={test.metric_report} />
      {running && test.actions.stop.allowed && (
        <Group>
          <ConfirmButton
            label={t('tests.stop')}
            color="red"
            variant="light"
            title={t('tests.stop')}
            body={t('tests.stopBody')}
            confirmDisabled={!reason.trim()}
            extra={<Textarea label={t('payouts.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />}
            onConfirm={() => stop.mutateAsync().catch(() => undefined)}
          />
          <ErrorAlert error={stop.error} />
        </Group>
      )}
      <Learnings testId={test.id} cycleId={test.cycle_id} learnings={test.learnings} mayAdd={test.actions.add_learnings.allowed} />
    </Stack>
  );
}

export const page: PageDef = { path: '/tests/:id', can: 'view_tests' };
export default TestPage;
