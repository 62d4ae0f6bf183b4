// My earnings as they accrue: what my work in cycles still running has earned so far (the cycle's
// end writes these lines to the ledger), then every ledger line with whether it is paid, in a
// payout run or waiting for one.
import { Badge, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { getQuery } from '../api/client.ts';
import { dateTime, yen } from '../app/format.ts';
import { lineText } from '../app/ledger-line.ts';
import type { PageDef } from '../app/pages.ts';
import { useSession } from '../app/session.tsx';
import { ErrorAlert } from '../app/ui.tsx';

const STATUS_COLOR: Record<string, string> = { paid: 'teal', in_run: 'blue', unpaid: 'gray', cancelled: 'red' };

function Earnings() {
  const { t, i18n } = useTranslation();
  const id = useSession().user.hacker_id!;
  const accruing = useQuery(getQuery('/v1/hackers/{id}/earnings', { path: { id } }));
  const ledger = useQuery(getQuery('/v1/hackers/{id}/ledger', { path: { id }, query: { limit: 500 } }));
  const lines = [...(ledger.data?.items ?? [])].reverse();
  return (
    <Stack>
      <Title order={1}>{t('earnings.title')}</Title>
      <ErrorAlert error={accruing.error ?? ledger.error} />
      <Card withBorder data-testid="accruing">
        <Group justify="space-between">
          <Title order={2} size="h3">{t('earnings.accruing')}</Title>
          {accruing.data && <Text fw={700} data-testid="accruing-total">{yen(accruing.data.total_yen)}</Text>}
        </Group>
        <Text size="xs" c="dimmed" mb="xs">{t('earnings.accruingNote')}</Text>
        {accruing.data?.lines.length === 0 && <Text size="sm">{t('earnings.noneAccruing')}</Text>}
        {accruing.data && accruing.data.lines.length > 0 && (
          <Table.ScrollContainer minWidth={520} type="native" tabIndex={0}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('earnings.line')}</Table.Th>
                  <Table.Th>{t('earnings.client')}</Table.Th>
                  <Table.Th>{t('earnings.month')}</Table.Th>
                  <Table.Th ta="right">{t('earnings.amount')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {accruing.data.lines.map((l) => (
                  <Table.Tr key={`${l.kind}-${l.cycle_id}-${l.proposal_id ?? l.offer_id ?? ''}`} data-testid="accruing-line">
                    <Table.Td>{lineText(t, l)}</Table.Td>
                    <Table.Td>{l.client_name}</Table.Td>
                    <Table.Td>{l.month}</Table.Td>
                    <Table.Td ta="right">{yen(l.amount_yen)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      <Card withBorder>
        <Group justify="space-between">
          <Title order={2} size="h3">{t('earnings.ledger')}</Title>
          {ledger.data && <Text size="sm" data-testid="unpaid-balance">{t('earnings.unpaid', { amount: yen(ledger.data.balance.unpaid_yen) })}</Text>}
        </Group>
        {ledger.data?.items.length === 0 && <Text size="sm">{t('earnings.noneWritten')}</Text>}
        {lines.length > 0 && (
          <Table.ScrollContainer minWidth={600} type="native" tabIndex={0}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('earnings.line')}</Table.Th>
                  <Table.Th>{t('earnings.month')}</Table.Th>
                  <Table.Th>{t('earnings.delivered')}</Table.Th>
                  <Table.Th>{t('earnings.status')}</Table.Th>
                  <Table.Th ta="right">{t('earnings.amount')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {lines.map((l) => (
                  <Table.Tr key={l.id} data-testid="ledger-line">
                    <Table.Td>{lineText(t, l)}</Table.Td>
                    <Table.Td>{l.month}</Table.Td>
                    <Table.Td>{dateTime(l.delivered_at, i18n.language)}</Table.Td>
                    <Table.Td><Badge variant="light" color={STATUS_COLOR[l.status] ?? 'gray'}>{t(`status.${l.status}`)}</Badge></Table.Td>
                    <Table.Td ta="right">{yen(l.amount_yen)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
    </Stack>
  );
}

export const page: PageDef = { path: '/earnings', can: 'view_own_earnings', nav: { label: 'nav.earnings', order: 28 } };
export default Earnings;
