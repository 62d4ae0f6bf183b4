// Site keys (admin, the client's CS manager): the public keys a client's website gives the browser
// SDK. Pick a client (or come from an engagement: ?client=<id>), create a key for its origins, rotate
// or revoke one. A new key is shown once, here, with the lines to paste into the site.
import { Alert, Badge, Button, Card, Code, CopyButton, Group, NumberInput, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, everyQuery, getQuery, must, type Body } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ConfirmButton, ErrorAlert, fieldError } from '../app/ui.tsx';

type SiteKey = Body<'/v1/clients/{id}/site-keys', 'get'>['items'][number];
type State = 'active' | 'replaced' | 'expired' | 'revoked';

function stateOf(k: SiteKey, now: number): State {
  if (k.revoked_at) return 'revoked';
  if (k.expires_at && Date.parse(k.expires_at) <= now) return 'expired';
  // Rotated with an overlap: still works until expires_at.
  if (k.replaced_by) return 'replaced';
  return 'active';
}
const STATE_COLOR: Record<State, string> = { active: 'green', replaced: 'yellow', expired: 'gray', revoked: 'red' };

/** The README's five lines, with this desk's address and the new key filled in. */
const snippet = (key: string) =>
  [
    '<script type="module">',
    `  import { init } from '${window.location.origin}/sdk/v1.mjs';`,
    `  const kz = await init({ key: '${key}' });`,
    `  if (kz.variant(42)?.arm === 'A') document.querySelector('h1').textContent = 'New headline';`,
    `  document.querySelector('#buy').onclick = () => kz.track({ type: 'conversion', value: 8000 });`,
    '</script>',
  ].join('\n');

function Copy({ value, label }: { value: string; label: string }) {
  const { t } = useTranslation();
  return <CopyButton value={value}>{({ copied, copy }) => <Button size="xs" variant="light" onClick={copy}>{copied ? t('siteKeys.copied') : label}</Button>}</CopyButton>;
}

/** A key just created or rotated: the only time the browser ever sees it. */
function ShownOnce({ shown, onClose }: { shown: { key: string; replaced?: SiteKey }; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const r = shown.replaced;
  return (
    <Alert color="green" title={t('siteKeys.once')} withCloseButton closeButtonLabel={t('siteKeys.hide')} onClose={onClose} data-testid="new-site-key">
      <Stack gap="xs">
        {r && <Text size="sm">{r.revoked_at ? t('siteKeys.replacedNow', { prefix: r.key_prefix }) : t('siteKeys.replacedUntil', { prefix: r.key_prefix, when: dateTime(r.expires_at, i18n.language) })}</Text>}
        <Code block data-testid="key">{shown.key}</Code>
        <Group><Copy value={shown.key} label={t('siteKeys.copyKey')} /></Group>
        <Text size="sm">{t('siteKeys.snippet')}</Text>
        <Code block data-testid="snippet">{snippet(shown.key)}</Code>
        <Text size="xs" c="dimmed">{t('siteKeys.snippetHint')}</Text>
        <Group><Copy value={snippet(shown.key)} label={t('siteKeys.copySnippet')} /></Group>
      </Stack>
    </Alert>
  );
}

function NewKeyForm({ clientId, onCreated }: { clientId: number; onCreated: (k: { id: number; key: string }) => void }) {
  const { t } = useTranslation();
  const [label, setLabel] = useState('');
  const [origins, setOrigins] = useState('');
  const [rate, setRate] = useState<number | string>('');
  const [visitorRate, setVisitorRate] = useState<number | string>('');
  const list = origins.split(/[\s,]+/).filter(Boolean);
  const create = useMutation({
    mutationFn: () =>
      must(
        api.POST('/v1/clients/{id}/site-keys', {
          params: { path: { id: clientId } },
          body: {
            origins: list,
            ...(label.trim() ? { label: label.trim() } : {}),
            ...(rate !== '' ? { rate_per_minute: Number(rate) } : {}),
            ...(visitorRate !== '' ? { visitor_events_per_minute: Number(visitorRate) } : {}),
          },
        }),
      ),
    onSuccess: (k) => {
      setLabel('');
      setOrigins('');
      onCreated(k);
    },
  });
  const err = (f: string) => fieldError(create.error, f);
  // An origin the API refuses is named either as the list or as one item of it.
  const originsErr = err('origins') ?? list.map((_, i) => err(`origins/${i}`)).find(Boolean);
  const anyFieldErr = originsErr ?? err('label') ?? err('rate_per_minute') ?? err('visitor_events_per_minute');
  return (
    <Card withBorder>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <Title order={2} size="h4">{t('siteKeys.newKey')}</Title>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Textarea label={t('siteKeys.origins')} description={t('siteKeys.originsHint')} placeholder="https://shop.example" autosize minRows={2} value={origins} onChange={(e) => setOrigins(e.currentTarget.value)} error={originsErr} required />
            <TextInput label={t('siteKeys.label')} description={t('siteKeys.labelHint')} value={label} onChange={(e) => setLabel(e.currentTarget.value)} error={err('label')} />
            <NumberInput label={t('siteKeys.rate')} description={t('siteKeys.rateHint')} placeholder="6000" thousandSeparator="," allowDecimal={false} min={1} value={rate} onChange={setRate} error={err('rate_per_minute')} />
            <NumberInput label={t('siteKeys.visitorRate')} description={t('siteKeys.visitorRateHint')} placeholder="300" thousandSeparator="," allowDecimal={false} min={1} value={visitorRate} onChange={setVisitorRate} error={err('visitor_events_per_minute')} />
          </SimpleGrid>
          {create.error && !anyFieldErr ? <ErrorAlert error={create.error} /> : null}
          <Group><Button type="submit" loading={create.isPending}>{t('siteKeys.create')}</Button></Group>
        </Stack>
      </form>
    </Card>
  );
}

function RotateButton({ k, onRotate }: { k: SiteKey; onRotate: (overlap: number) => Promise<unknown> }) {
  const { t } = useTranslation();
  const [overlap, setOverlap] = useState<number | string>(0);
  return (
    <ConfirmButton
      size="xs"
      variant="light"
      label={t('siteKeys.rotate')}
      title={t('siteKeys.rotateTitle')}
      body={t('siteKeys.rotateBody', { prefix: k.key_prefix })}
      extra={<NumberInput label={t('siteKeys.overlap')} description={t('siteKeys.overlapHint')} min={0} max={10_080} clampBehavior="strict" allowDecimal={false} value={overlap} onChange={setOverlap} />}
      onConfirm={() => onRotate(Number(overlap) || 0)}
    />
  );
}

function ClientKeys({ clientId }: { clientId: number }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [shown, setShown] = useState<{ id: number; key: string; replaced?: SiteKey } | null>(null);
  const list = { path: { id: clientId } };
  const keys = useQuery(getQuery('/v1/clients/{id}/site-keys', list));
  const refresh = () => qc.invalidateQueries({ queryKey: queryKey('/v1/clients/{id}/site-keys', list) });
  // What the caller may do to these keys, as the server decides it (role, and CS: a client of theirs).
  const may = keys.data?.actions;
  const rotate = useMutation({
    mutationFn: ({ id, overlap }: { id: number; overlap: number }) => must(api.POST('/v1/site-keys/{id}/rotate', { params: { path: { id } }, body: { overlap_minutes: overlap } })),
    onSuccess: (r) => {
      setShown({ id: r.key.id, key: r.key.key, replaced: r.replaced });
      return refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => must(api.DELETE('/v1/site-keys/{id}', { params: { path: { id } } })),
    onSuccess: (row) => {
      // A key revoked right after it was shown is no key to paste any more.
      setShown((s) => (s?.id === row.id ? null : s));
      return refresh();
    },
  });
  const now = Date.now();
  // Newest first: a key just made is at the top, next to the alert showing it.
  const rows = [...(keys.data?.items ?? [])].reverse();
  return (
    <Stack>
      {may && !may.create.allowed && <Alert color="gray">{t('siteKeys.notYours')}</Alert>}
      {may?.create.allowed && (
        <NewKeyForm
          clientId={clientId}
          onCreated={(k) => {
            setShown({ id: k.id, key: k.key });
            void refresh();
          }}
        />
      )}
      {shown && <ShownOnce shown={shown} onClose={() => setShown(null)} />}
      <ErrorAlert error={keys.error ?? rotate.error ?? revoke.error} />
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('siteKeys.key')}</Table.Th>
            <Table.Th>{t('siteKeys.origins')}</Table.Th>
            <Table.Th>{t('siteKeys.limits')}</Table.Th>
            <Table.Th>{t('siteKeys.created')}</Table.Th>
            <Table.Th>{t('common.status')}</Table.Th>
            <Table.Th>{t('common.actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((k) => {
            const state = stateOf(k, now);
            const live = state === 'active' || state === 'replaced';
            return (
              <Table.Tr key={k.id} data-testid="site-key-row">
                <Table.Td>
                  <Code>{k.key_prefix}…</Code>
                  {k.label && <Text size="sm">{k.label}</Text>}
                </Table.Td>
                <Table.Td>{k.origins.map((o) => <Text key={o} size="sm">{o}</Text>)}</Table.Td>
                <Table.Td>
                  <Text size="sm">{t('siteKeys.limitRate', { n: k.rate_per_minute.toLocaleString('en-US') })}</Text>
                  <Text size="sm">{t('siteKeys.limitVisitor', { n: k.visitor_events_per_minute.toLocaleString('en-US') })}</Text>
                </Table.Td>
                <Table.Td>{dateTime(k.created_at, i18n.language)}</Table.Td>
                <Table.Td>
                  <Badge color={STATE_COLOR[state]} variant="light" miw="max-content">{t(`siteKeys.state.${state}`)}</Badge>
                  {state === 'revoked' && <Text size="xs">{t('siteKeys.since', { when: dateTime(k.revoked_at, i18n.language) })}</Text>}
                  {state === 'replaced' && <Text size="xs">{t('siteKeys.worksUntil', { when: dateTime(k.expires_at, i18n.language) })}</Text>}
                </Table.Td>
                <Table.Td>
                  {live && (
                    <Group gap="xs">
                      {/* A key in its rotation overlap already has a successor: rotate that one. */}
                      {state === 'active' && may?.rotate.allowed && <RotateButton k={k} onRotate={(overlap) => rotate.mutateAsync({ id: k.id, overlap }).catch(() => undefined)} />}
                      {may?.revoke.allowed && <ConfirmButton size="xs" color="red" variant="light" label={t('siteKeys.revoke')} title={t('siteKeys.revokeTitle')} body={t('siteKeys.revokeBody', { prefix: k.key_prefix })} onConfirm={() => revoke.mutateAsync(k.id).catch(() => undefined)} />}
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {keys.isSuccess && rows.length === 0 && <Text>{t('siteKeys.none')}</Text>}
    </Stack>
  );
}

function SiteKeys() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const clientId = Number(params.get('client')) || null;
  const clients = useQuery(everyQuery('/v1/clients', { query: { limit: 500 } }));
  // The picker offers the clients whose keys the caller may change (the server's own check).
  const options = (clients.data ?? [])
    .filter((c) => c.actions.manage_site_keys.allowed || c.id === clientId)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((c) => ({ value: String(c.id), label: c.name }));
  return (
    <Stack maw={1200}>
      <Title order={1}>{t('siteKeys.title')}</Title>
      <Text maw={800}>{t('siteKeys.intro')}</Text>
      <ErrorAlert error={clients.error} />
      <Select
        w={360}
        label={t('siteKeys.client')}
        placeholder={t('siteKeys.pickClient')}
        searchable
        data={options}
        value={clientId ? String(clientId) : null}
        onChange={(v) => setParams(v ? { client: v } : {})}
        nothingFoundMessage={t('siteKeys.noMatch')}
      />
      {clients.isSuccess && options.length === 0 && <Text c="dimmed">{t('siteKeys.noClients')}</Text>}
      {/* Keyed by client: a shown key and a half-filled form never carry over to another client. */}
      {clientId && <ClientKeys key={clientId} clientId={clientId} />}
    </Stack>
  );
}

export const page: PageDef = { path: '/site-keys', can: 'manage_site_keys', nav: { label: 'nav.siteKeys', order: 50 } };
export default SiteKeys;
