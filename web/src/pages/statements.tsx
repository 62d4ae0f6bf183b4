// My monthly statements (hackers): gross, withholding and net of the month's payments, every line.
import { Card, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getQuery } from '../api/client.ts';
import { day, tokyoToday, yen } from '../app/format.ts';
import { lineText } from '../app/ledger-line.ts';
import type { PageDef } from '../app/pages.ts';
import { useSession } from '../app/session.tsx';
import { ErrorAlert } from '../app/ui.tsx';

function Statements() {
  const { t } = useTranslation();
  const session = useSession();
  const hackerId = session.user.hacker_id!;
  const [month, setMonth] = useState(tokyoToday().slice(0, 7));
  const valid = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);
  const q = useQuery({ ...getQuery('/v1/hackers/{id}/statements/{month}', { path: { id: hackerId, month } }), enabled: valid });
  const s = q.data;
  return (
    <Stack>
      <Title order={1}>{t('statements.title')}</Title>
      <Group>
        <TextInput label={t('statements.month')} value={month} onChange={(e) => setMonth(e.currentTarget.value)} error={valid ? undefined : t('statements.monthFormat')} />
      </Group>
      <ErrorAlert error={q.error} />
      {s && (
        <>
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            {(
              [
                ['gross', s.gross_payable],
                ['deductions', s.deductions_yen],
                ['withholding', s.withholding],
                ['net', s.net_transfer],
              ] as const
            ).map(([k, v]) => (
              <Card withBorder padding="sm" key={k}>
                <Text size="xs" c="dimmed">{t(`statements.${k}`)}</Text>
                <Text fw={700} data-testid={`statement-${k}`}>{yen(v)}</Text>
              </Card>
            ))}
          </SimpleGrid>
          <Text size="sm">{t('statements.unpaid', { amount: yen(s.unpaid_balance_yen) })}</Text>
          {s.payments.length === 0 && <Text>{t('statements.none')}</Text>}
          {s.payments.map((p) => (
            <Card withBorder key={p.id}>
              <Text fw={600}>{t('statements.payment', { date: day(p.payment_date), status: t(`status.${p.status}`) })}</Text>
              <Table mt="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('statements.line')}</Table.Th>
                    <Table.Th>{t('statements.month')}</Table.Th>
                    <Table.Th ta="right">{t('statements.amount')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {p.lines.map((l) => (
                    <Table.Tr key={l.ledger_id}>
                      <Table.Td>{lineText(t, l)}</Table.Td>
                      <Table.Td>{l.month}</Table.Td>
                      <Table.Td ta="right">{yen(l.amount_yen)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Card>
          ))}
        </>
      )}
    </Stack>
  );
}

export const page: PageDef = { path: '/statements', can: 'view_own_statements', nav: { label: 'nav.statements', order: 30 } };
export default Statements;
