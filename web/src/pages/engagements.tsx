// Engagements (CS, client, admin, finance): the list with the current phase and status.
import { Anchor, Button, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { getQuery } from '../api/client.ts';
import { yen } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { useSession } from '../app/session.tsx';
import { ErrorAlert, MoreButton, ResponsiveTable, StatusBadge, usePaged } from '../app/ui.tsx';

function Engagements() {
  const { t } = useTranslation();
  const session = useSession();
  const [status, setStatus] = useState<string | null>(null);
  const q = usePaged('/v1/engagements', { query: status ? { status: status as 'active' } : {} });
  const cycles = useQuery({ ...getQuery('/v1/cycles', { query: { limit: 500 } }), refetchInterval: 10_000 });
  const phaseOf = (id: number, month: string | null) => cycles.data?.items.filter((c) => c.engagement_id === id && (!month || c.month === month)).at(-1);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('engagements.title')}</Title>
        {session.can.create_engagement && (
          <Button component={Link} to="/engagements/new">
            {t('engagements.create')}
          </Button>
        )}
      </Group>
      <Select
        w={220}
        label={t('common.status')}
        placeholder={t('common.all')}
        clearable
        value={status}
        onChange={setStatus}
        data={['active', 'ending', 'ended'].map((s) => ({ value: s, label: t(`status.${s}`) }))}
      />
      <ErrorAlert error={q.error} />
      <ResponsiveTable striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('engagements.engagement')}</Table.Th>
            <Table.Th>{t('engagements.client')}</Table.Th>
            <Table.Th>{t('engagements.month')}</Table.Th>
            <Table.Th>{t('engagements.phase')}</Table.Th>
            <Table.Th>{t('common.status')}</Table.Th>
            <Table.Th ta="right">{t('engagements.fee')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.items.map((e) => {
            const c = phaseOf(e.id, e.current_month);
            return (
              <Table.Tr key={e.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/engagements/${e.id}`}>
                    {t('engagements.number', { id: e.id })}
                  </Anchor>
                </Table.Td>
                <Table.Td data-testid="client-name">{e.client_name}</Table.Td>
                <Table.Td>{e.current_month ?? e.start_month}</Table.Td>
                <Table.Td>
                  {c ? (
                    <Anchor component={Link} to={`/cycles/${c.id}`}>
                      {t(`phase.${c.phase}`)}
                    </Anchor>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>
                  <StatusBadge value={e.status} />
                </Table.Td>
                <Table.Td ta="right">{yen(e.monthly_fee_yen)}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </ResponsiveTable>
      {q.isSuccess && q.items.length === 0 && <Text>{t('engagements.none')}</Text>}
      <MoreButton q={q} />
    </Stack>
  );
}

export const page: PageDef = {
  path: '/engagements',
  can: 'view_engagements',
  nav: { label: 'nav.engagements', order: 10 },
};
export default Engagements;
