// One engagement: its month-by-month timeline, the current phase, who is blocking it and until when,
// its pages and settings, (admin) the workflow in the Temporal Web UI, and (CS, admin) its client's site keys
// and kill switch.
import { Alert, Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, Timeline, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, getQuery, must } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime, percent, yen } from '../app/format.ts';
import { useMessage } from '../app/messages.ts';
import type { PageDef } from '../app/pages.ts';
import { useSession } from '../app/session.tsx';
import { ErrorAlert, KillSwitch, LIVE_MS, StatusBadge } from '../app/ui.tsx';
import { OrderingAbilityChart } from '../app/ordering-ability-chart.tsx';

function EngagementDetail() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const qc = useQueryClient();
  const m = useMessage();
  const id = Number(useParams().id);
  const e = useQuery({ ...getQuery('/v1/engagements/{id}', { path: { id } }), refetchInterval: 10_000 });
  const live = e.data?.status !== 'ended';
  const tl = useQuery({ ...getQuery('/v1/engagements/{id}/timeline', { path: { id } }), enabled: e.isSuccess, refetchInterval: live ? LIVE_MS * 2 : false });
  const pages = useQuery({ ...getQuery('/v1/engagements/{id}/pages', { path: { id } }), enabled: e.isSuccess });
  const settings = useQuery({ ...getQuery('/v1/engagements/{id}/settings', { path: { id } }), enabled: e.isSuccess });
  const client = useQuery({ ...getQuery('/v1/clients/{id}', { path: { id: e.data?.client_id ?? 0 } }), enabled: e.isSuccess });
  const kill = useMutation({
    mutationFn: (on: boolean) => must(api.PUT('/v1/clients/{id}/kill-switch', { params: { path: { id: e.data!.client_id } }, body: { on } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKey('/v1/clients/{id}', { path: { id: e.data!.client_id } }) }),
  });
  if (e.error) return <ErrorAlert error={e.error} resource />;
  if (!e.data) return null;
  const eg = e.data;
  const cycles = tl.data?.cycles ?? [];
  const current = cycles.at(-1);
  return (
    <Stack>
      <Group justify="space-between">
        <Stack gap={0}>
          <Title order={1}>{t('engagements.number', { id: eg.id })}</Title>
          <Text fw={600} data-testid="client-name">{eg.client_name}</Text>
        </Stack>
        <Group>
          {session.can.view_revenue && (
            <Button size="xs" variant="light" component={Link} to={`/engagements/${eg.id}/revenue`}>
              {t('revenue.open')}
            </Button>
          )}
          {session.can.view_team && (
            <Button size="xs" variant="light" component={Link} to={`/engagements/${eg.id}/team`}>
              {t('team.open')}
            </Button>
          )}
          {/* Where CS starts when the client's site needs the SDK. */}
          {eg.actions.site_keys.allowed && (
            <Button size="xs" variant="light" component={Link} to={`/site-keys?client=${eg.client_id}`}>
              {t('siteKeys.open')}
            </Button>
          )}
          <StatusBadge value={eg.status} />
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Card withBorder padding="sm">
          <Text size="xs" c="dimmed">{t('engagements.fee')}</Text>
          <Text fw={700}>{yen(eg.monthly_fee_yen)}</Text>
        </Card>
        <Card withBorder padding="sm">
          <Text size="xs" c="dimmed">{t('engagements.offerMode')}</Text>
          <Text fw={700}>{t(`offerKind.${eg.offer_mode}`)}</Text>
        </Card>
        <Card withBorder padding="sm">
          <Text size="xs" c="dimmed">{t('engagements.month')}</Text>
          <Text fw={700}>{eg.current_month ?? eg.start_month}</Text>
        </Card>
        <Card withBorder padding="sm">
          <Text size="xs" c="dimmed">{t('engagements.workflow')}</Text>
          <Text fw={700}>{eg.workflow.execution_status}</Text>
          {session.temporal_ui_url && (
            <Anchor href={`${session.temporal_ui_url}/workflows/${encodeURIComponent(eg.workflow_id)}`} target="_blank" rel="noreferrer" size="sm">
              {t('engagements.openTemporal')}
            </Anchor>
          )}
        </Card>
      </SimpleGrid>
      {eg.end_reason && <Alert color="gray">{t('engagements.endReason', { reason: eg.end_reason })}</Alert>}
      {client.data?.kill_switch && <Alert color="orange" data-testid="kill-on">{t('kill.clientOn')}</Alert>}
      {client.data?.actions.kill_switch.allowed && (
        <KillSwitch label={t('kill.clientLabel')} on={client.data.kill_switch} onBody={t('kill.clientOnBody')} offBody={t('kill.clientOffBody')} set={(on) => kill.mutateAsync(on)} />
      )}
      <ErrorAlert error={kill.error} />
      {current && (
        <Card withBorder data-testid="current-phase">
          <Group justify="space-between">
            <Stack gap={2}>
              <Text size="sm" c="dimmed">{t('engagements.currentPhase')}</Text>
              <Anchor component={Link} to={`/cycles/${current.id}`} fw={700}>
                {current.month} · {t(`phase.${current.phase}`)}
              </Anchor>
            </Stack>
            {current.waiting_for && (
              <Stack gap={2} align="flex-end">
                <Text>{t('engagements.waitingFor', { who: m.waitingFor(current) })}</Text>
                {current.due_at && <Text size="sm">{t('engagements.until', { when: dateTime(current.due_at as string, i18n.language) })}</Text>}
                {current.overdue && <Badge color="red">{t('tasks.overdue')}</Badge>}
              </Stack>
            )}
          </Group>
        </Card>
      )}
      <Title order={2} size="h3">{t('engagements.timeline')}</Title>
      <ErrorAlert error={tl.error} />
      <Timeline bulletSize={18} lineWidth={2} active={cycles.length - 1}>
        {cycles.map((c) => (
          <Timeline.Item key={c.id} title={<Anchor component={Link} to={`/cycles/${c.id}`}>{`${c.month} · ${t(`phase.${c.phase}`)}`}</Anchor>}>
            <Text size="sm">
              {t('engagements.offersTests', { offers: c.offers.length, tests: c.tests.length })}
              {c.tests.filter((x) => x.outcome).map((x) => (
                <Anchor key={x.id} component={Link} to={`/tests/${x.id}`} ml="xs" size="sm">
                  {t('tests.number', { id: x.id })}: {t(`status.${x.outcome}`)}
                </Anchor>
              ))}
            </Text>
            {c.end_reason && <Text size="sm" c="dimmed">{c.end_reason}</Text>}
            {c.decisions.map((d, i) => (
              <Text key={i} size="xs" c="dimmed">
                {dateTime(d.created_at as string, i18n.language)} · {d.actor_name ?? t('common.system')} · {d.summary}
              </Text>
            ))}
          </Timeline.Item>
        ))}
      </Timeline>
      {session.can.view_ordering_ability && <OrderingAbilityChart engagementId={eg.id} />}
      <Title order={2} size="h3">{t('engagements.pages')}</Title>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('engagements.pageUrl')}</Table.Th>
            <Table.Th>{t('engagements.pageType')}</Table.Th>
            <Table.Th ta="right">{t('engagements.baseline')}</Table.Th>
            <Table.Th ta="right">{t('engagements.dailyVisitors')}</Table.Th>
            <Table.Th ta="right">{t('engagements.valuePerConversion')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {pages.data?.items.map((p) => (
            <Table.Tr key={p.id}>
              <Table.Td>{p.url}</Table.Td>
              <Table.Td>{p.page_type}</Table.Td>
              <Table.Td ta="right">{percent(p.baseline_rate, 2).replace('+', '')}</Table.Td>
              <Table.Td ta="right">{p.daily_visitors.toLocaleString('en-US')}</Table.Td>
              <Table.Td ta="right">{yen(p.value_per_conversion_yen)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {settings.data && (
        <>
          <Title order={2} size="h3">{t('engagements.settings')}</Title>
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            {(['adoption_fee_yen', 'win_bonus_yen', 'planning_seconds', 'offer_window_seconds', 'selection_seconds', 'test_max_seconds', 'verdict_engine', 'mde_relative'] as const).map((k) => (
              <Text key={k} size="sm">
                {t(`settings.${k}`)}: <b>{k.endsWith('_yen') ? yen(settings.data[k] as number) : String(settings.data[k])}</b>
              </Text>
            ))}
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}

export const page: PageDef = { path: '/engagements/:id', can: 'view_engagements' };
export default EngagementDetail;
