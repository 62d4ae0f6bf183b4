// The test page's metrics section (issue 25): each metric's effect per variant with its interval, raw
// and corrected p, the guardrails' state, CUPED where it applied, and the segments with their own SRM
// and a multiple-testing warning. Everything comes from GET /v1/tests/:id's metric_report.
import { Alert, Badge, Card, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Body } from '../api/client.ts';
import { percent } from './format.ts';

type Report = Body<'/v1/tests/{id}', 'get'>['metric_report'];

const p = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x < 0.001 ? '< 0.001' : x.toFixed(3));
const interval = (ci: (number | null)[]) => `${ci[0] === null || ci[0] === undefined ? '−∞' : percent(ci[0], 1)} … ${ci[1] === null || ci[1] === undefined ? '+∞' : percent(ci[1], 1)}`;

export function MetricsSection({ report }: { report: Report }) {
  const { t } = useTranslation();
  if (report.metrics.length === 0 && report.segments.length === 0) return null;
  return (
    <Card withBorder data-testid="metrics-section">
      <Stack gap="sm">
        <Title order={2} size="h3">{t('metrics.title')}</Title>
        {report.correction.comparisons > 0 && (
          <Text size="sm">{t(`metrics.correction.${report.correction.method}`, { n: report.correction.comparisons })}</Text>
        )}
        {report.decision_segment && <Text size="sm">{t('metrics.population', { segment: report.decision_segment })}</Text>}
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('metrics.metric')}</Table.Th>
              <Table.Th>{t('metrics.variant')}</Table.Th>
              <Table.Th>{t('metrics.effect')}</Table.Th>
              <Table.Th>{t('metrics.interval')}</Table.Th>
              <Table.Th>{t('metrics.p')}</Table.Th>
              <Table.Th>{t('metrics.pAdjusted')}</Table.Th>
              <Table.Th>{t('metrics.state')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.metrics.flatMap((m) =>
              m.variants.map((v) => (
                <Table.Tr key={`${m.name}-${v.arm}`} data-metric={m.name}>
                  <Table.Td>
                    {m.name} <Badge size="xs" variant="light">{t(`metrics.role.${m.role}`)}</Badge>
                  </Table.Td>
                  <Table.Td>{v.arm}</Table.Td>
                  <Table.Td>{percent(v.expected, 1)}</Table.Td>
                  <Table.Td>{interval(v.ci)}</Table.Td>
                  <Table.Td>{p(v.p_value)}</Table.Td>
                  <Table.Td>{m.role === 'guardrail' ? '–' : p(v.p_value_adjusted)}</Table.Td>
                  <Table.Td>
                    {m.role === 'guardrail' && (
                      <Badge color={v.worse ? 'red' : 'green'} variant="light">{t(v.worse ? 'metrics.guardrailWorse' : 'metrics.guardrailOk')}</Badge>
                    )}
                    {v.cuped && <Text size="xs">{t('metrics.cuped', { share: percent(v.cuped.variance_reduction, 0) })}</Text>}
                  </Table.Td>
                </Table.Tr>
              )),
            )}
          </Table.Tbody>
        </Table>
        {report.segments.length > 0 && (
          <>
            <Title order={3} size="h4">{t('metrics.segments')}</Title>
            <Alert color="yellow" variant="light">{t('metrics.browsing', { n: report.segments_browsed })}</Alert>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('metrics.segment')}</Table.Th>
                  <Table.Th>{t('metrics.visitors')}</Table.Th>
                  <Table.Th>{t('metrics.effect')}</Table.Th>
                  <Table.Th>{t('metrics.interval')}</Table.Th>
                  <Table.Th>{t('metrics.srm')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.segments.map((s) => (
                  <Table.Tr key={`${s.dimension}:${s.value}`} data-segment={`${s.dimension}:${s.value}`}>
                    <Table.Td>{t(`metrics.dimension.${s.dimension}`)}: {t(`metrics.value.${s.value}`)}</Table.Td>
                    <Table.Td>{s.users.join(' / ')}</Table.Td>
                    <Table.Td>{s.variants.map((v) => `${v.arm} ${percent(v.expected, 1)}`).join(', ')}</Table.Td>
                    <Table.Td>{s.variants.map((v) => interval(v.ci)).join(', ')}</Table.Td>
                    <Table.Td>
                      {s.srm ? <Badge color="red" variant="light">{t('metrics.srmFlag', { p: p(s.srm_p_value) })}</Badge> : p(s.srm_p_value)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </>
        )}
      </Stack>
    </Card>
  );
}
