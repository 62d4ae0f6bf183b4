// Invoices: finance's list of every month's invoices and credit notes (filter by month and status,
// the month's CSV export); a client or partner sees only the issued documents billed to it. Each opens
// its invoice page (lines, review, PDF).
import { Anchor, Button, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { day, yen } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { useSession } from '../app/session.tsx';
import { ErrorAlert, MoreButton, ResponsiveTable, StatusBadge, usePaged } from '../app/ui.tsx';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
type Status = 'draft' | 'held' | 'issued';

export default function Invoices() {
  const { t } = useTranslation();
  const session = useSession();
  const [month, setMonth] = useState('');
  const [status, setStatus] = useState<Status | null>(null);
  const validMonth = month === '' || MONTH.test(month);
  const q = usePaged('/v1/invoices', { query: { limit: 100, ...(month && validMonth ? { month } : {}), ...(status ? { status } : {}) } });
  return (
    <Stack>
      <Title order={1}>{t('invoices.title')}</Title>
      <Text>{session.can.export_invoices ? t('invoices.introFinance') : t('invoices.intro')}</Text>
      <Group align="flex-end">
        <TextInput label={t('invoices.month')} placeholder="2026-11" value={month} onChange={(e) => setMonth(e.currentTarget.value)} error={validMonth ? undefined : t('invoices.monthFormat')} />
        <Select
          label={t('common.status')}
          clearable
          placeholder={t('common.all')}
          value={status}
          onChange={(v) => setStatus(v as Status | null)}
          data={(['draft', 'held', 'issued'] as const).map((s) => ({ value: s, label: t(`status.${s}`) }))}
        />
        {session.can.export_invoices && month && validMonth && (
          <Button component="a" variant="light" href={`/v1/invoices/export?month=${month}&format=csv`} download data-testid="export-csv">
            {t('invoices.exportCsv', { month })}
          </Button>
        )}
      </Group>
      <ErrorAlert error={q.error} />
      <ResponsiveTable striped highlightOnHover minWidth={760}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('invoices.document')}</Table.Th>
            <Table.Th>{t('invoices.billTo')}</Table.Th>
            <Table.Th>{t('invoices.month')}</Table.Th>
            <Table.Th>{t('common.status')}</Table.Th>
            <Table.Th ta="right">{t('invoices.total')}</Table.Th>
            <Table.Th>{t('invoices.due')}</Table.Th>
            <Table.Th>{t('invoices.payment')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.items.map((i) => (
            <Table.Tr key={i.id} data-testid="invoice-row">
              <Table.Td>
                <Anchor component={Link} to={`/invoices/${i.id}`}>
                  {i.number ?? t(i.kind === 'credit_note' ? 'invoices.draftCredit' : 'invoices.draft', { name: i.recipient_name })}
                </Anchor>
              </Table.Td>
              <Table.Td>{i.recipient_name}</Table.Td>
              <Table.Td>{i.month}</Table.Td>
              <Table.Td>
                <StatusBadge value={i.status} />
              </Table.Td>
              <Table.Td ta="right">{yen(i.total_yen)}</Table.Td>
              <Table.Td>{day(i.due_date)}</Table.Td>
              <Table.Td>
                <StatusBadge value={i.payment_status} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ResponsiveTable>
      {q.isSuccess && q.items.length === 0 && <Text>{t('invoices.none')}</Text>}
      <MoreButton q={q} />
    </Stack>
  );
}

export const page: PageDef = {
  path: '/invoices',
  can: 'view_invoices',
  nav: { label: 'nav.invoices', order: 62 },
};
