// One partner (read-only): its attributed clients and engagements with their results, the month's
// commission statement line by line, and the invoices billed to it. A partner user opens only its
// own partner: any other is the API's 404, shown as "not found".
import { Anchor, Card, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { getQuery } from '../api/client.ts';
import { day, tokyoToday, yen } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ErrorAlert, ResponsiveTable, StatusBadge } from '../app/ui.tsx';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const bp = (n: number) => `${(n / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })}%`;

export default function Partner() {
  const { t, i18n } = useTranslation();
  const id = Number(useParams().id);
  const [month, setMonth] = useState(tokyoToday().slice(0, 7));
  const valid = MONTH.test(month);
  const partner = useQuery(getQuery('/v1/partners/{id}', { path: { id } }));
  const ok = partner.isSuccess;
  const engagements = useQuery({ ...getQuery('/v1/partners/{id}/engagements', { path: { id } }), enabled: ok });
  const statement = useQuery({ ...getQuery('/v1/partners/{id}/statements/{month}', { path: { id, month } }), enabled: ok && valid });
  const invoices = useQuery({ ...getQuery('/v1/invoices', { query: { partner_id: id, limit: 100 } }), enabled: ok });
  if (partner.error) return <ErrorAlert error={partner.error} resource />;
  const p = partner.data;
  if (!p) return null;
  const clientOf = new Map((engagements.data?.items ?? []).map((e) => [e.id, e.client_name]));
  const item = (k: string) => (i18n.exists(`partners.item.${k}`) ? t(`partners.item.${k}`) : k.replace(/_/g, ' '));
  const s = statement.data;
  return (
    <Stack>
      <Title order={1}>{p.name}</Title>
      <Text>
        {p.legal_name} · {p.invoice_registration_number ? t('partners.registeredAs', { number: p.invoice_registration_number }) : t('partners.notRegistered')}
      </Text>

      <Title order={2}>{t('partners.engagements')}</Title>
      <ErrorAlert error={engagements.error} />
      <ResponsiveTable striped minWidth={820}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('partners.client')}</Table.Th>
            <Table.Th>{t('common.status')}</Table.Th>
            <Table.Th>{t('partners.mode')}</Table.Th>
            <Table.Th>{t('partners.commission')}</Table.Th>
            <Table.Th>{t('partners.since')}</Table.Th>
            <Table.Th ta="right">{t('partners.tests')}</Table.Th>
            <Table.Th ta="right">{t('partners.wins')}</Table.Th>
            <Table.Th ta="right">{t('partners.uplift')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {engagements.data?.items.map((e) => (
            <Table.Tr key={e.id} data-testid="partner-engagement">
              <Table.Td>{e.client_name}</Table.Td>
              <Table.Td>
                <StatusBadge value={e.status} />
              </Table.Td>
              <Table.Td>{t(`partners.modes.${e.mode === 'resale' ? 'resale' : 'referral'}`)}</Table.Td>
              <Table.Td>
                {e.mode === 'resale' ? '—' : t('partners.commissionRange', { rate: bp(e.commission_bp), from: e.commission_from_month, to: e.commission_to_month ?? t('partners.open') })}
              </Table.Td>
              <Table.Td>{e.start_month}</Table.Td>
              <Table.Td ta="right">{e.results.tests}</Table.Td>
              <Table.Td ta="right">{e.results.wins}</Table.Td>
              <Table.Td ta="right">{yen(e.results.monthly_revenue_uplift_yen)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ResponsiveTable>
      {engagements.data && engagements.data.items.length === 0 && <Text>{t('partners.noEngagements')}</Text>}

      <Title order={2}>{t('partners.statement')}</Title>
      <Group>
        <TextInput label={t('partners.month')} value={month} onChange={(e) => setMonth(e.currentTarget.value)} error={valid ? undefined : t('partners.monthFormat')} />
      </Group>
      <ErrorAlert error={statement.error} />
      {s && (
        <>
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            {(
              [
                ['commissionTotal', s.commission_yen],
                ['consumptionTax', s.consumption_tax_yen],
                ['withholding', s.withholding_yen],
                ['payable', s.total_payable_yen],
              ] as const
            ).map(([k, v]) => (
              <Card withBorder padding="sm" key={k}>
                <Text size="xs" c="dimmed">
                  {t(`partners.${k}`)}
                </Text>
                <Text fw={700} data-testid={`partner-${k}`}>
                  {yen(v)}
                </Text>
              </Card>
            ))}
          </SimpleGrid>
          <Text size="sm">{t('partners.statementNote')}</Text>
          <ResponsiveTable minWidth={640}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('partners.client')}</Table.Th>
                <Table.Th>{t('partners.itemLabel')}</Table.Th>
                <Table.Th>{t('partners.invoice')}</Table.Th>
                <Table.Th ta="right">{t('partners.base')}</Table.Th>
                <Table.Th ta="right">{t('partners.rate')}</Table.Th>
                <Table.Th ta="right">{t('partners.amount')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {s.lines.map((l) => (
                <Table.Tr key={l.id} data-testid="commission-line">
                  <Table.Td>{clientOf.get(l.engagement_id) ?? '—'}</Table.Td>
                  <Table.Td>{item(l.item)}</Table.Td>
                  <Table.Td>{l.invoice_number ?? '—'}</Table.Td>
                  <Table.Td ta="right">{yen(l.base_yen)}</Table.Td>
                  <Table.Td ta="right">{bp(l.rate_bp)}</Table.Td>
                  <Table.Td ta="right">{yen(l.amount_yen)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </ResponsiveTable>
          {s.lines.length === 0 && <Text>{t('partners.noCommissions')}</Text>}
        </>
      )}

      <Title order={2}>{t('partners.invoices')}</Title>
      <ErrorAlert error={invoices.error} />
      {invoices.data?.items.map((i) => (
        <Text key={i.id} data-testid="partner-invoice">
          <Anchor component={Link} to={`/invoices/${i.id}`}>
            {i.number ?? t('invoices.draft', { name: i.recipient_name })}
          </Anchor>{' '}
          · {i.month} · {yen(i.total_yen)} · {t('invoices.dueOn', { date: day(i.due_date) })}
        </Text>
      ))}
      {invoices.data && invoices.data.items.length === 0 && <Text>{t('partners.noInvoices')}</Text>}
    </Stack>
  );
}

export const page: PageDef = {
  path: '/partners/:id',
  can: 'view_partners',
};
