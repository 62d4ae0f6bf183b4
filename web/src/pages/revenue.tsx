// The client's revenue dashboard for one engagement: per Asia/Tokyo month the tests run and won, the
// uplift in force (the conservative lower bound, and the point estimate beside it), fees and ROI to
// date; the engagement's total; and the holdout's measured difference when the client has one.
import { BarChart } from '@mantine/charts';
import { Alert, Anchor, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { getQuery } from '../api/client.ts';
import { percent, yen, yenSpoken } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ErrorAlert } from '../app/ui.tsx';

/** ROI as people read it: "×1.8" (uplift per yen of fees). */
const roiText = (roi: number | null) => (roi === null ? '—' : `×${roi.toFixed(2)}`);

function Revenue() {
  const { t, i18n } = useTranslation();
  const id = Number(useParams().id);
  const q = useQuery(getQuery('/v1/engagements/{id}/impact', { path: { id }, query: {} }));
  const e = useQuery(getQuery('/v1/engagements/{id}', { path: { id } }));
  const client = useQuery({ ...getQuery('/v1/clients/{id}', { path: { id: e.data?.client_id ?? 0 } }), enabled: e.isSuccess });
  if (q.error) return <ErrorAlert error={q.error} resource />;
  if (!q.data) return null;
  const r = q.data;
  const total = r.total;
  const h = r.holdout;
  const chart = r.months.map((m) => ({ month: m.key, [t('revenue.upliftLower')]: m.monthly_uplift_yen, [t('revenue.upliftExpected')]: m.expected_monthly_uplift_yen, [t('revenue.fees')]: m.fees_yen }));
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('revenue.title', { client: client.data?.name ?? '' })}</Title>
        <Anchor component={Link} to={`/engagements/${id}`}>{t('revenue.back')}</Anchor>
      </Group>
      <Text size="sm" c="dimmed">{t('revenue.asOf', { month: r.as_of })}</Text>
      {total && (
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          {(
            [
              ['tests', t('revenue.testsWins', { tests: total.tests, wins: total.wins })],
              ['uplift', yenSpoken(total.monthly_uplift_yen, i18n.language)],
              ['cumulative', yenSpoken(total.cumulative_uplift_yen, i18n.language)],
              ['roi', roiText(total.roi)],
            ] as const
          ).map(([k, v]) => (
            <Card withBorder padding="sm" key={k}>
              <Text size="xs" c="dimmed">{t(`revenue.total.${k}`)}</Text>
              <Text fw={700} data-testid={`revenue-${k}`}>{v}</Text>
            </Card>
          ))}
        </SimpleGrid>
      )}
      <Card withBorder>
        <Title order={2} size="h3">{t('revenue.byMonth')}</Title>
        <Text size="xs" c="dimmed" mb="xs">{t('revenue.basis')}</Text>
        {r.months.length === 0 ? (
          <Text>{t('revenue.none')}</Text>
        ) : (
          <>
            <BarChart h={240} data={chart} dataKey="month" valueFormatter={(v) => yen(v)} yAxisProps={{ width: 96 }} withLegend series={[
              { name: t('revenue.upliftLower'), color: 'teal.6' },
              { name: t('revenue.upliftExpected'), color: 'teal.2' },
              { name: t('revenue.fees'), color: 'gray.5' },
            ]} />
            <Table.ScrollContainer minWidth={720} type="native" tabIndex={0} mt="md">
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('revenue.month')}</Table.Th>
                  <Table.Th ta="right">{t('revenue.tests')}</Table.Th>
                  <Table.Th ta="right">{t('revenue.wins')}</Table.Th>
                  <Table.Th ta="right">{t('revenue.upliftLower')}</Table.Th>
                  <Table.Th ta="right">{t('revenue.upliftExpected')}</Table.Th>
                  <Table.Th ta="right">{t('revenue.fees')}</Table.Th>
                  <Table.Th ta="right">{t('revenue.roi')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.months.map((m) => (
                  <Table.Tr key={m.key} data-testid="revenue-month">
                    <Table.Td>{m.key}</Table.Td>
                    <Table.Td ta="right">{m.tests}</Table.Td>
                    <Table.Td ta="right">{m.wins}</Table.Td>
                    <Table.Td ta="right">{yen(m.monthly_uplift_yen)}</Table.Td>
                    <Table.Td ta="right">{yen(m.expected_monthly_uplift_yen)}</Table.Td>
                    <Table.Td ta="right">{yen(m.fees_yen)}</Table.Td>
                    <Table.Td ta="right">{roiText(m.roi)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            </Table.ScrollContainer>
          </>
        )}
      </Card>
      <Card withBorder data-testid="holdout">
        <Title order={2} size="h3">{t('revenue.holdout')}</Title>
        {!h ? (
          <Text>{t('revenue.noHoldout')}</Text>
        ) : h.effect.absolute === null ? (
          <Text>{t('revenue.holdoutNoData', { percent: h.holdout_percent })}</Text>
        ) : (
          <Stack gap={4}>
            <Text fw={700} data-testid="holdout-difference">
              {t('revenue.holdoutDifference', {
                relative: percent(h.effect.relative),
                low: percent(h.effect.relative_ci?.[0]),
                high: percent(h.effect.relative_ci?.[1]),
              })}
            </Text>
            <Text size="sm">
              {t('revenue.holdoutRates', { percent: h.holdout_percent, held: percent(h.effect.holdout_rate, 2).replace('+', ''), rest: percent(h.effect.rest_rate, 2).replace('+', ''), heldN: h.holdout.n.toLocaleString(), restN: h.rest.n.toLocaleString() })}
            </Text>
            {(h.effect.absolute_ci?.[0] ?? 0) <= 0 && <Alert color="yellow">{t('revenue.holdoutUnclear')}</Alert>}
          </Stack>
        )}
      </Card>
    </Stack>
  );
}

export const page: PageDef = { path: '/engagements/:id/revenue', can: 'view_revenue' };
export default Revenue;
