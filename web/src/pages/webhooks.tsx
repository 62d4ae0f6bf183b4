// Webhooks (issue 27): the endpoints other systems receive events at, and each one's delivery log
// (status, attempts, last response code, latency). Admins register, rotate, re-enable and delete
// endpoints (a new secret is shown once, here); a client's users and its CS read their client's.
import { Alert, Badge, Button, Card, Code, Group, MultiSelect, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, everyQuery, getQuery, must, type Body, type Paths } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ConfirmButton, ErrorAlert, fieldError, ResponsiveTable } from '../app/ui.tsx';

type Endpoint = Body<'/v1/webhooks', 'get'>['items'][number];
type EventType = Paths['/v1/webhooks']['post']['requestBody']['content']['application/json']['event_types'][number];

/** The event types an endpoint may choose: the schema's list (web/src/api/schema.d.ts). */
const EVENT_TYPES: EventType[] = [
  'offer.published', 'offer.deadline_approaching', 'offer.widened', 'proposal.selected', 'proposal.not_selected', 'plan.due', 'selection.due',
  'test.no_traffic', 'test.warning', 'test.verdict', 'learnings.due', 'payout.awaiting_approval', 'payout.transfer_failed', 'invoice.issued',
  'invoice.overdue',
];
// Long URLs and event ids break anywhere instead of widening a phone's page.
const WRAP = { overflowWrap: 'anywhere' } as const;
const STATUS_COLOR: Record<string, string> = { pending: 'blue', succeeded: 'green', failed: 'red', skipped: 'gray' };

function NewEndpointForm({ onCreated }: { onCreated: (secret: string) => void }) {
  const { t } = useTranslation();
  const [clientId, setClientId] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [format, setFormat] = useState<'standard' | 'slack'>('standard');
  const clients = useQuery(everyQuery('/v1/clients', { query: { limit: 500 } }));
  const create = useMutation({
    mutationFn: () =>
      must(api.POST('/v1/webhooks', { body: { client_id: clientId ? Number(clientId) : null, url: url.trim(), event_types: types as EventType[], format } })),
    onSuccess: (e) => {
      setUrl('');
      setTypes([]);
      onCreated(e.secret);
    },
  });
  const err = (f: string) => fieldError(create.error, f);
  return (
    <Card withBorder>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <Title order={2} size="h4">{t('webhooks.newEndpoint')}</Title>
          <Select
            label={t('webhooks.client')}
            placeholder={t('webhooks.platformWide')}
            clearable
            searchable
            data={(clients.data ?? []).map((c) => ({ value: String(c.id), label: c.name }))}
            value={clientId}
            onChange={setClientId}
            error={err('client_id')}
          />
          <TextInput label={t('webhooks.url')} description={t('webhooks.urlHint')} placeholder="https://hooks.example/kaizen" value={url} onChange={(e) => setUrl(e.currentTarget.value)} error={err('url')} required />
          <MultiSelect label={t('webhooks.eventTypes')} data={EVENT_TYPES} value={types} onChange={setTypes} error={err('event_types')} searchable required />
          <Select
            label={t('webhooks.format')}
            data={[{ value: 'standard', label: t('webhooks.formats.standard') }, { value: 'slack', label: t('webhooks.formats.slack') }]}
            value={format}
            onChange={(v) => setFormat(v === 'slack' ? 'slack' : 'standard')}
            allowDeselect={false}
          />
          {create.error && !err('url') && !err('event_types') && !err('client_id') ? <ErrorAlert error={create.error} /> : null}
          <Group><Button type="submit" loading={create.isPending}>{t('webhooks.create')}</Button></Group>
        </Stack>
      </form>
    </Card>
  );
}

function Deliveries({ endpoint }: { endpoint: Endpoint }) {
  const { t, i18n } = useTranslation();
  const q = useQuery(getQuery('/v1/webhooks/{id}/deliveries', { path: { id: endpoint.id } }));
  const rows = q.data?.items ?? [];
  return (
    <Stack gap="xs">
      <Title order={2} size="h4" style={WRAP}>{t('webhooks.deliveriesOf', { url: endpoint.url })}</Title>
      <ErrorAlert error={q.error} />
      <ResponsiveTable data-testid="deliveries">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('webhooks.event')}</Table.Th>
            <Table.Th>{t('common.status')}</Table.Th>
            <Table.Th>{t('webhooks.attempts')}</Table.Th>
            <Table.Th>{t('webhooks.lastCode')}</Table.Th>
            <Table.Th>{t('webhooks.latency')}</Table.Th>
            <Table.Th>{t('webhooks.lastAttempt')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((d) => (
            <Table.Tr key={d.id} data-testid="delivery-row">
              <Table.Td>
                <Text size="sm">{d.event_type}</Text>
                <Text size="xs" c="dimmed" style={WRAP}>{d.event_id}</Text>
              </Table.Td>
              <Table.Td>
                <Badge color={STATUS_COLOR[d.status]} variant="light" miw="max-content">{t(`webhooks.status.${d.status}`)}</Badge>
                {d.last_error && <Text size="xs">{d.last_error}</Text>}
              </Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
              <Table.Td>{d.last_status_code ?? '—'}</Table.Td>
              <Table.Td>{d.last_latency_ms === null ? '—' : t('webhooks.ms', { n: d.last_latency_ms })}</Table.Td>
              <Table.Td>{d.last_attempt_at ? dateTime(d.last_attempt_at, i18n.language) : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ResponsiveTable>
      {q.isSuccess && rows.length === 0 && <Text>{t('webhooks.noDeliveries')}</Text>}
    </Stack>
  );
}

function Webhooks() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery(getQuery('/v1/webhooks', {}));
  // Clients by name, not number (every reader of this page may list the clients it sees).
  const clients = useQuery(everyQuery('/v1/clients', { query: { limit: 500 } }));
  const clientName = (id: number) => clients.data?.find((c) => c.id === id)?.name ?? `#${id}`;
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: queryKey('/v1/webhooks') });
  const rotate = useMutation({
    mutationFn: (id: number) => must(api.POST('/v1/webhooks/{id}/rotate', { params: { path: { id } } })),
    onSuccess: (e) => {
      setSecret(e.secret);
      return refresh();
    },
  });
  const patch = useMutation({ mutationFn: (id: number) => must(api.PATCH('/v1/webhooks/{id}', { params: { path: { id } }, body: { enabled: true } })), onSuccess: refresh });
  const remove = useMutation({ mutationFn: (id: number) => must(api.DELETE('/v1/webhooks/{id}', { params: { path: { id } } })), onSuccess: refresh });
  const items = list.data?.items ?? [];
  const selected = items.find((e) => e.id === open);
  return (
    <Stack maw={1200}>
      <Title order={1}>{t('webhooks.title')}</Title>
      <Text maw={800}>{t('webhooks.intro')}</Text>
      {list.data?.actions.create.allowed && <NewEndpointForm onCreated={(s) => { setSecret(s); void refresh(); }} />}
      {secret && (
        <Alert color="green" title={t('webhooks.secretOnce')} withCloseButton closeButtonLabel={t('webhooks.hide')} onClose={() => setSecret(null)} data-testid="new-secret">
          <Code block>{secret}</Code>
        </Alert>
      )}
      <ErrorAlert error={list.error ?? rotate.error ?? patch.error ?? remove.error} />
      <ResponsiveTable data-testid="endpoints">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('webhooks.url')}</Table.Th>
            <Table.Th>{t('webhooks.client')}</Table.Th>
            <Table.Th>{t('webhooks.eventTypes')}</Table.Th>
            <Table.Th>{t('common.status')}</Table.Th>
            <Table.Th>{t('common.actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((e) => (
            <Table.Tr key={e.id} data-testid="endpoint-row">
              <Table.Td>
                <Text size="sm" style={WRAP}>{e.url}</Text>
                <Text size="xs" c="dimmed">{t(`webhooks.formats.${e.format}`)} · <Code>{e.secret_prefix}…</Code></Text>
              </Table.Td>
              <Table.Td>{e.client_id === null ? t('webhooks.platformWide') : clientName(e.client_id)}</Table.Td>
              <Table.Td>{e.event_types.map((x) => <Text key={x} size="xs">{x}</Text>)}</Table.Td>
              <Table.Td>
                {e.disabled_at ? (
                  <>
                    <Badge color="red" variant="light" miw="max-content">{t('webhooks.disabled')}</Badge>
                    <Text size="xs">{t('webhooks.disabledSince', { when: dateTime(e.disabled_at, i18n.language), reason: e.disabled_reason ?? '' })}</Text>
                  </>
                ) : (
                  <Badge color="green" variant="light" miw="max-content">{t('webhooks.active')}</Badge>
                )}
                {e.consecutive_failures > 0 && <Text size="xs">{t('webhooks.failures', { n: e.consecutive_failures })}</Text>}
              </Table.Td>
              <Table.Td>
                <Group gap="xs">
                  <Button size="xs" variant="light" onClick={() => setOpen(open === e.id ? null : e.id)} aria-expanded={open === e.id}>
                    {t('webhooks.showDeliveries')}
                  </Button>
                  {e.actions.rotate.allowed && (
                    <ConfirmButton size="xs" variant="light" label={t('webhooks.rotate')} title={t('webhooks.rotateTitle')} body={t('webhooks.rotateBody')} onConfirm={() => rotate.mutateAsync(e.id).catch(() => undefined)} />
                  )}
                  {e.disabled_at && e.actions.update.allowed && (
                    <Button size="xs" variant="light" onClick={() => patch.mutate(e.id)}>{t('webhooks.enable')}</Button>
                  )}
                  {e.actions.delete.allowed && (
                    <ConfirmButton size="xs" color="red" variant="light" label={t('webhooks.delete')} title={t('webhooks.deleteTitle')} body={t('webhooks.deleteBody', { url: e.url })} onConfirm={() => remove.mutateAsync(e.id).catch(() => undefined)} />
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ResponsiveTable>
      {list.isSuccess && items.length === 0 && <Text>{t('webhooks.none')}</Text>}
      {selected && <Deliveries key={selected.id} endpoint={selected} />}
    </Stack>
  );
}

export const page: PageDef = { path: '/webhooks', can: 'view_webhooks', nav: { label: 'nav.webhooks', order: 55 } };
export default Webhooks;
