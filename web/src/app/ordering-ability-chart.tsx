// The client's ordering ability month by month (issue 28.5): rates as a trend chart, and every figure
// in a table (what the chart draws, readable without it). Its own file: only the engagement page loads
// it, so the charting library stays with the pages that draw charts.
import { LineChart } from '@mantine/charts';
import { Card, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { getQuery } from '../api/client.ts';
import { yen } from './format.ts';
import { ErrorAlert } from './ui.tsx';

const RATES = ['brief_completeness', 'qa_pass_rate', 'selection_rate', 'win_rate'] as const;
const COLORS = ['indigo.6', 'teal.6', 'orange.6', 'grape.6'];
const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);
const per = (x: number | null) => (x === null ? '—' : x.toFixed(1));

export function OrderingAbilityChart({ engagementId }: { engagementId: number }) {
  const { t } = useTranslation();
  const q = useQuery(getQuery('/v1/engagements/{id}/ordering-ability', { path: { id: engagementId } }));
  if (q.error) return <ErrorAlert error={q.error} />;
  if (!q.data) return null;
  const months = q.data.months;
  const data = months.map((m) => ({ month: m.month, ...Object.fromEntries(RATES.map((k) => [t(`ordering.${k}`), m[k] === null ? null : Math.round(m[k]! * 1000) / 10])) }));
  return (
    <Card withBorder data-testid="ordering-ability">
      <Stack gap="sm">
        <Title order={2} size="h3">{t('ordering.title')}</Title>
        <Text size="sm" c="dimmed">{t('ordering.intro')}</Text>
        {months.length === 0 ? (
          <Text size="sm">{t('ordering.none')}</Text>
        ) : (
          <>
            <LineChart h={240} data={data} dataKey="month" series={RATES.map((k, i) => ({ name: t(`ordering.${k}`), color: COLORS[i]! }))} unit="%" withLegend connectNulls yAxisProps={{ domain: [0, 100] }} />
            <Table.ScrollContainer minWidth={640}>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('ordering.month')}</Table.Th>
                    <Table.Th ta="right">{t('ordering.offers')}</Table.Th>
                    <Table.Th ta="right">{t('ordering.brief_completeness')}</Table.Th>
                    <Table.Th ta="right">{t('ordering.questions_per_offer')}</Table.Th>
                    <Table.Th ta="right">{t('ordering.proposals_per_offer')}</Table.Th>
                    <Table.Th ta="right">{t('ordering.qa_pass_rate')}</Table.Th>
                    <Table.Th ta="right">{t('ordering.selection_rate')}</Table.Th>
                    <Table.Th ta="right">{t('ordering.win_rate')}</Table.Th>
                    <Table.Th ta="right">{t('ordering.uplift')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {months.map((m) => (
                    <Table.Tr key={m.month} data-testid="ordering-month">
                      <Table.Td>{m.month}</Table.Td>
                      <Table.Td ta="right">{m.offers}</Table.Td>
                      <Table.Td ta="right">{pct(m.brief_completeness)}</Table.Td>
                      <Table.Td ta="right">{per(m.questions_per_offer)}</Table.Td>
                      <Table.Td ta="right">{per(m.proposals_per_offer)}</Table.Td>
                      <Table.Td ta="right">{pct(m.qa_pass_rate)}</Table.Td>
                      <Table.Td ta="right">{pct(m.selection_rate)}</Table.Td>
                      <Table.Td ta="right">{pct(m.win_rate)}</Table.Td>
                      <Table.Td ta="right">{yen(m.uplift_yen)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Text size="xs" c="dimmed">{t('ordering.basis')}</Text>
          </>
        )}
      </Stack>
    </Card>
  );
}
