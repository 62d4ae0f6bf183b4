// Payout runs (finance, admin): every month's run with its totals and status; open a month's run.
import { Anchor, Button, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, must } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { day, yen } from '../app/format.ts';
import { useMessage } from '../app/messages.ts';
import type { PageDef } from '../app/pages.ts';
import { ErrorAlert, fieldError, MoreButton, StatusBadge, usePaged } from '../app/ui.tsx';

function PayoutRuns() {
  const { t } = useTranslation();
  const m = useMessage();
  const qc = useQueryClient();
  const nav = useNavigate();
  const q = usePaged('/v1/payout-runs', {}, 5_000);
  const [month, setMonth] = useState('');
  const open = useMutation({
    mutationFn: () => must(api.POST('/v1/payout-runs', { body: { month } })),
    onSuccess: (run) => {
      void qc.invalidateQueries({ queryKey: queryKey('/v1/payout-runs') });
      void nav(`/payout-runs/${run.id}`);
    },
  });
  return (
    <Stack>
      <Title order={1}>{t('payouts.title')}</Title>
      <Text>{t('payouts.intro')}</Text>
      <ErrorAlert error={q.error} />
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('payouts.month')}</Table.Th>
            <Table.Th>{t('common.status')}</Table.Th>
            <Table.Th>{t('payouts.paymentDate')}</Table.Th>
            <Table.Th ta="right">{t('payouts.items')}</Table.Th>
            <Table.Th ta="right">{t('payouts.gross')}</Table.Th>
            <Table.Th ta="right">{t('payouts.withholding')}</Table.Th>
            <Table.Th ta="right">{t('payouts.toPayNet')}</Table.Th>
            <Table.Th>{t('payouts.waitingFor')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.items.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>
                <Anchor component={Link} to={`/payout-runs/${r.id}`}>
                  {t('payouts.runOf', { month: r.month })}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <StatusBadge value={r.status} />
                {r.totals.needs_resolution > 0 && (
                  <Text size="xs" c="red.9">
                    {t('payouts.needsResolution', { count: r.totals.needs_resolution })}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{day(r.payment_date)}</Table.Td>
              <Table.Td ta="right">{r.totals.items}</Table.Td>
              <Table.Td ta="right">{yen(r.totals.gross_yen)}</Table.Td>
              <Table.Td ta="right">{yen(r.totals.withholding_yen)}</Table.Td>
              <Table.Td ta="right">{yen(r.totals.to_pay_net_yen + r.totals.sent_net_yen)}</Table.Td>
              <Table.Td>{r.waiting_for ? m.waitingFor(r) : ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {q.isSuccess && q.items.length === 0 && <Text>{t('payouts.none')}</Text>}
      <MoreButton q={q} />
      <Paper withBorder p="md">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            open.mutate();
          }}
        >
          <Group align="flex-end">
            <TextInput
              label={t('payouts.openMonth')}
              description={t('payouts.openMonthHint')}
              placeholder="2026-11"
              value={month}
              onChange={(e) => setMonth(e.currentTarget.value)}
              error={fieldError(open.error, 'month')}
            />
            <Button type="submit" loading={open.isPending}>
              {t('payouts.open')}
            </Button>
          </Group>
          {open.error && !fieldError(open.error, 'month') ? <ErrorAlert error={open.error} /> : null}
        </form>
      </Paper>
    </Stack>
  );
}

export const page: PageDef = {
  path: '/payout-runs',
  can: 'view_payouts',
  nav: { label: 'nav.payouts', order: 60 },
};
export default PayoutRuns;
