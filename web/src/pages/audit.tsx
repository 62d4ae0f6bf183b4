// The audit trail (admins): who changed access or money settings, what and when, from which request —
// newest first, filtered by kind of change, with a CSV export of what the filter shows.
import { Badge, Button, Code, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getQuery, type Item } from '../api/client.ts';
import { dateTime } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ErrorAlert, PageLoader, ResponsiveTable } from '../app/ui.tsx';

type Entry = Item<'/v1/audit'>;
/** The kinds of change (action prefixes) the filter offers; each has its words in the catalogues. */
const KINDS = ['user', 'token', 'session', 'site_key', 'price_plan', 'billing_account', 'holdout', 'payee', 'kill_switch'] as const;
const LIMIT = 200;

function Changes({ e }: { e: Entry }) {
  const fields = Object.entries((e.changes ?? {}) as Record<string, unknown>);
  if (!fields.length) return <Text size="sm" c="dimmed">—</Text>;
  return (
    <Stack gap={0}>
      {fields.map(([k, v]) => (
        <Text size="sm" key={k}>
          {k}: <Code>{typeof v === 'string' ? v : JSON.stringify(v)}</Code>
        </Text>
      ))}
    </Stack>
  );
}

export default function AuditPage() {
  const { t, i18n } = useTranslation();
  const [kind, setKind] = useState<string | null>(null);
  const params = { query: { limit: LIMIT, ...(kind ? { action: `${kind}.` } : {}) } };
  const q = useQuery(getQuery('/v1/audit', params));
  const exportUrl = `/v1/audit?format=csv&limit=1000${kind ? `&action=${kind}.` : ''}`;
  return (
    <Stack>
      <Title order={2}>{t('audit.title')}</Title>
      <Text size="sm">{t('audit.intro')}</Text>
      <Group align="flex-end">
        <Select
          label={t('audit.kind')}
          placeholder={t('audit.allKinds')}
          clearable
          data={KINDS.map((k) => ({ value: k, label: t(`audit.kinds.${k}`) }))}
          value={kind}
          onChange={setKind}
        />
        <Button component="a" href={exportUrl} variant="light" download>
          {t('audit.export')}
        </Button>
      </Group>
      {q.isPending ? (
        <PageLoader />
      ) : q.isError ? (
        <ErrorAlert error={q.error} retry={() => q.refetch()} />
      ) : !q.data.items.length ? (
        <Text c="dimmed">{t('audit.empty')}</Text>
      ) : (
        <ResponsiveTable minWidth={900} data-testid="audit-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('audit.at')}</Table.Th>
              <Table.Th>{t('audit.who')}</Table.Th>
              <Table.Th>{t('audit.what')}</Table.Th>
              <Table.Th>{t('audit.changes')}</Table.Th>
              <Table.Th>{t('audit.request')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {q.data.items.map((e) => (
              <Table.Tr key={e.id} data-testid="audit-row">
                <Table.Td>{dateTime(e.at, i18n.language)}</Table.Td>
                <Table.Td>
                  {e.actor_name ?? t('audit.system')}
                  {e.actor_role && (
                    <Badge ml={6} variant="light" size="sm">
                      {t(`roles.${e.actor_role}`, { defaultValue: e.actor_role })}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" fw={600}>{t(`audit.actions.${e.action}`, { defaultValue: e.action })}</Text>
                  <Text size="xs" c="dimmed">
                    {e.method} {e.route} {Object.entries(e.subject).map(([k, v]) => `${k}=${String(v)}`).join(' ')}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Changes e={e} />
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{e.ip ?? '—'}</Text>
                  <Text size="xs" c="dimmed">{e.request_id}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ResponsiveTable>
      )}
      {q.data && q.data.items.length === LIMIT && <Text size="sm" c="dimmed">{t('audit.more', { n: LIMIT })}</Text>}
    </Stack>
  );
}

export const page: PageDef = { path: '/audit', can: 'view_audit', nav: { label: 'nav.audit', order: 92 } };
