// Partners: finance sees every partner, a partner user only its own (the API scopes the list); each
// opens the partner's page (attributed clients, commissions, statements, invoices billed to it).
import { Anchor, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { getQuery } from '../api/client.ts';
import type { PageDef } from '../app/pages.ts';
import { ErrorAlert, ResponsiveTable } from '../app/ui.tsx';

export default function Partners() {
  const { t } = useTranslation();
  const q = useQuery(getQuery('/v1/partners', {}));
  return (
    <Stack>
      <Title order={1}>{t('partners.title')}</Title>
      <Text>{t('partners.intro')}</Text>
      <ErrorAlert error={q.error} />
      <ResponsiveTable striped minWidth={480}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('partners.name')}</Table.Th>
            <Table.Th>{t('partners.legalName')}</Table.Th>
            <Table.Th>{t('partners.registration')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.data?.items.map((p) => (
            <Table.Tr key={p.id} data-testid="partner-row">
              <Table.Td>
                <Anchor component={Link} to={`/partners/${p.id}`}>
                  {p.name}
                </Anchor>
              </Table.Td>
              <Table.Td>{p.legal_name}</Table.Td>
              <Table.Td>{p.invoice_registration_number ?? t('partners.notRegistered')}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ResponsiveTable>
      {q.data && q.data.items.length === 0 && <Text>{t('partners.none')}</Text>}
    </Stack>
  );
}

export const page: PageDef = {
  path: '/partners',
  can: 'view_partners',
  nav: { label: 'nav.partners', order: 61 },
};
