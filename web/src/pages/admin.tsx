// Admin: clients, growth hackers (payee details masked) and users with their API tokens. A new
// user's token is shown once, here, and never again.
import { Alert, Autocomplete, Button, Card, Code, CopyButton, Group, Modal, Select, Stack, Table, Tabs, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, getQuery, must } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import type { paths } from '../api/schema';
import { dateTime } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ConfirmButton, ErrorAlert, fieldError, MoreButton, usePaged } from '../app/ui.tsx';

/** The roles the users route accepts (generated from its schema). */
type UserRole = NonNullable<paths['/v1/users']['post']['requestBody']>['content']['application/json']['role'];
/**
 * Which roles this form offers, in the select's order: every role of the API must be named here, so a
 * new one fails the typecheck until someone decides. A partner user is bound to a partner, which this
 * form cannot do (the database refuses a partner user without one).
 */
const OFFERED = { admin: true, cs_manager: true, finance: true, client: true, hacker: true, partner: false } satisfies Record<UserRole, boolean>;
const ROLES = (Object.keys(OFFERED) as UserRole[]).filter((r) => OFFERED[r]);
/** The record a new user of the role is bound to (the users route requires it): the form's extra field. */
const BINDING: Partial<Record<UserRole, 'client_id' | 'hacker_id'>> = { client: 'client_id', hacker: 'hacker_id' };

function Clients() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = usePaged('/v1/clients', {});
  const [name, setName] = useState('');
  const [industry, setIndustry] = useState('');
  const vocab = useQuery(getQuery('/v1/vocabularies', {}));
  const create = useMutation({
    mutationFn: () => must(api.POST('/v1/clients', { body: { name, industry } })),
    onSuccess: () => {
      setName('');
      setIndustry('');
      return qc.invalidateQueries({ queryKey: queryKey('/v1/clients') });
    },
  });
  return (
    <Stack>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Group align="flex-start">
          <TextInput label={t('admin.clientName')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(create.error, 'name')} />
          <Autocomplete label={t('admin.industry')} placeholder="ecommerce" value={industry} onChange={setIndustry} data={vocab.data?.industries ?? []} error={fieldError(create.error, 'industry')} />
          <Button type="submit" mt={24} loading={create.isPending}>{t('admin.addClient')}</Button>
        </Group>
      </form>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>ID</Table.Th>
            <Table.Th>{t('admin.clientName')}</Table.Th>
            <Table.Th>{t('admin.industry')}</Table.Th>
            <Table.Th>{t('admin.created')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.items.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>{c.id}</Table.Td>
              <Table.Td>{c.name}</Table.Td>
              <Table.Td>{c.industry}</Table.Td>
              <Table.Td>{dateTime(c.created_at, i18n.language)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <MoreButton q={q} />
    </Stack>
  );
}

function PayeeCell({ hackerId }: { hackerId: number }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const q = useQuery({ ...getQuery('/v1/hackers/{id}/payee', { path: { id: hackerId } }), enabled: open });
  return (
    <>
      <Button size="xs" variant="subtle" onClick={() => setOpen(true)}>{t('admin.payee')}</Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('admin.payee')}>
        <ErrorAlert error={q.error} />
        {q.data && (
          <Stack gap="xs">
            <Text size="sm">{t('admin.payeeType')}: {t(`payeeType.${q.data.payee_type}`)}</Text>
            <Text size="sm">{t('admin.legalName')}: {q.data.legal_name ?? '—'}</Text>
            <Text size="sm">
              {t('admin.bank')}: {q.data.bank ? `${q.data.bank.bank_name} ${q.data.bank.branch_name} ${q.data.bank.account_number} (${q.data.bank.holder_name})` : t('flags.missing_bank_details')}
            </Text>
            <Text size="sm">{t('admin.invoiceNo')}: {q.data.invoice?.registration_number ?? '—'}</Text>
          </Stack>
        )}
      </Modal>
    </>
  );
}

function Hackers() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const q = usePaged('/v1/hackers', {});
  const [name, setName] = useState('');
  const [kind, setKind] = useState<string>('individual');
  const [residency, setResidency] = useState<string>('resident');
  const [skills, setSkills] = useState<string[]>([]);
  const vocab = useQuery(getQuery('/v1/vocabularies', {}));
  const create = useMutation({
    mutationFn: () => must(api.POST('/v1/hackers', { body: { display_name: name, kind: kind as 'individual', residency: residency as 'resident', skills, industries: [] } })),
    onSuccess: () => {
      setName('');
      return qc.invalidateQueries({ queryKey: queryKey('/v1/hackers') });
    },
  });
  return (
    <Stack>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Group align="flex-start">
          <TextInput label={t('admin.hackerName')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(create.error, 'display_name')} />
          <Select label={t('admin.kind')} value={kind} onChange={(v) => setKind(v ?? 'individual')} allowDeselect={false} data={['individual', 'corporation'].map((k) => ({ value: k, label: t(`admin.kinds.${k}`) }))} />
          <Select label={t('admin.residency')} value={residency} onChange={(v) => setResidency(v ?? 'resident')} allowDeselect={false} data={['resident', 'non_resident'].map((k) => ({ value: k, label: t(`admin.residencies.${k}`) }))} />
          <TagsInput label={t('cycle.skills')} value={skills} onChange={setSkills} data={vocab.data?.skills ?? []} w={240} error={fieldError(create.error, 'skills')} />
          <Button type="submit" mt={24} loading={create.isPending}>{t('admin.addHacker')}</Button>
        </Group>
      </form>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>ID</Table.Th>
            <Table.Th>{t('admin.hackerName')}</Table.Th>
            <Table.Th>{t('admin.kind')}</Table.Th>
            <Table.Th>{t('admin.residency')}</Table.Th>
            <Table.Th>{t('cycle.skills')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.items.map((h) => (
            <Table.Tr key={h.id}>
              <Table.Td>{h.id}</Table.Td>
              <Table.Td>{h.display_name}</Table.Td>
              <Table.Td>{t(`admin.kinds.${h.kind}`)}</Table.Td>
              <Table.Td>{t(`admin.residencies.${h.residency}`)}</Table.Td>
              <Table.Td>{h.skills.join(', ')}</Table.Td>
              <Table.Td><PayeeCell hackerId={h.id} /></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <MoreButton q={q} />
    </Stack>
  );
}

/** A user's API tokens (never the secret): issue another (shown once), revoke one (asked first). */
function Tokens({ userId, name }: { userId: number; name: string }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [issued, setIssued] = useState<string | null>(null);
  const tokens = { query: { user_id: userId, limit: 100 } };
  const q = useQuery({ ...getQuery('/v1/tokens', tokens), enabled: open });
  const issue = useMutation({
    mutationFn: () => must(api.POST('/v1/users/{id}/tokens', { params: { path: { id: userId } }, body: {} })),
    onSuccess: (tok) => {
      setIssued(tok.token);
      return qc.invalidateQueries({ queryKey: queryKey('/v1/tokens', tokens) });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => must(api.DELETE('/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKey('/v1/tokens', tokens) }),
  });
  return (
    <>
      <Button size="xs" variant="subtle" onClick={() => setOpen(true)}>{t('admin.tokens')}</Button>
      <Modal opened={open} onClose={() => { setOpen(false); setIssued(null); }} title={t('admin.tokensOf', { name })} size="lg">
        <Stack>
          <ErrorAlert error={q.error ?? issue.error ?? revoke.error} />
          {issued && (
            <Alert color="green" title={t('admin.tokenOnce', { name })} data-testid="issued-token">
              <Code block>{issued}</Code>
            </Alert>
          )}
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>ID</Table.Th>
                <Table.Th>{t('admin.created')}</Table.Th>
                <Table.Th>{t('admin.expires')}</Table.Th>
                <Table.Th>{t('common.status')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {q.data?.items.map((tok) => (
                <Table.Tr key={tok.id}>
                  <Table.Td>{tok.id}{tok.label ? ` · ${tok.label}` : ''}</Table.Td>
                  <Table.Td>{dateTime(tok.created_at as string, i18n.language)}</Table.Td>
                  <Table.Td>{dateTime(tok.expires_at as string | null, i18n.language)}</Table.Td>
                  <Table.Td>{tok.revoked_at ? t('admin.revoked') : t('status.active')}</Table.Td>
                  <Table.Td>
                    {!tok.revoked_at && (
                      <ConfirmButton size="xs" color="red" variant="light" label={t('admin.revoke')} title={t('admin.revoke')} body={t('admin.revokeBody', { id: tok.id, name })} onConfirm={() => revoke.mutateAsync(tok.id).catch(() => undefined)} />
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group>
            <Button onClick={() => issue.mutate()} loading={issue.isPending}>{t('admin.issueToken')}</Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

function Users() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = usePaged('/v1/users', {});
  const [name, setName] = useState('');
  const [role, setRole] = useState<UserRole>('cs_manager');
  const binding = BINDING[role];
  const [bind, setBind] = useState('');
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const create = useMutation({
    mutationFn: () =>
      must(
        api.POST('/v1/users', {
          body: {
            name,
            role,
            ...(binding && bind ? { [binding]: Number(bind) } : {}),
          },
        }),
      ),
    onSuccess: (u) => {
      setShown({ name: u.name, token: u.token });
      setName('');
      setBind('');
      return qc.invalidateQueries({ queryKey: queryKey('/v1/users') });
    },
  });
  return (
    <Stack>
      <Card withBorder>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Group align="flex-start">
            <TextInput label={t('admin.userName')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(create.error, 'name')} />
            <Select label={t('admin.role')} value={role} onChange={(v) => setRole((v as UserRole | null) ?? 'cs_manager')} allowDeselect={false} data={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
            {binding && (
              <TextInput
                label={binding === 'client_id' ? t('admin.clientId') : t('admin.hackerId')}
                value={bind}
                onChange={(e) => setBind(e.currentTarget.value)}
                error={fieldError(create.error, binding)}
              />
            )}
            <Button type="submit" mt={24} loading={create.isPending}>{t('admin.addUser')}</Button>
          </Group>
          {create.error && !fieldError(create.error, 'name') && !fieldError(create.error, 'client_id') && !fieldError(create.error, 'hacker_id') ? <ErrorAlert error={create.error} /> : null}
        </form>
      </Card>
      {shown && (
        <Alert color="green" title={t('admin.tokenOnce', { name: shown.name })} withCloseButton onClose={() => setShown(null)} data-testid="new-token">
          <Stack gap="xs">
            <Code block>{shown.token}</Code>
            <CopyButton value={shown.token}>{({ copied, copy }) => <Button size="xs" onClick={copy}>{copied ? t('admin.copied') : t('admin.copy')}</Button>}</CopyButton>
          </Stack>
        </Alert>
      )}
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>ID</Table.Th>
            <Table.Th>{t('admin.userName')}</Table.Th>
            <Table.Th>{t('admin.role')}</Table.Th>
            <Table.Th>{t('admin.boundTo')}</Table.Th>
            <Table.Th>{t('admin.created')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.items.map((u) => (
            <Table.Tr key={u.id}>
              <Table.Td>{u.id}</Table.Td>
              <Table.Td>{u.name}</Table.Td>
              <Table.Td>{t(`roles.${u.role}`)}</Table.Td>
              <Table.Td>{u.client_id ? t('admin.clientNo', { id: u.client_id }) : u.hacker_id ? t('admin.hackerNo', { id: u.hacker_id }) : ''}</Table.Td>
              <Table.Td>{dateTime(u.created_at as string, i18n.language)}</Table.Td>
              <Table.Td><Tokens userId={u.id} name={u.name} /></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <MoreButton q={q} />
    </Stack>
  );
}

function Admin() {
  const { t } = useTranslation();
  return (
    <Stack>
      <Title order={1}>{t('admin.title')}</Title>
      <Tabs defaultValue="users">
        <Tabs.List>
          <Tabs.Tab value="users">{t('admin.users')}</Tabs.Tab>
          <Tabs.Tab value="clients">{t('admin.clients')}</Tabs.Tab>
          <Tabs.Tab value="hackers">{t('admin.hackers')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="users" pt="md"><Users /></Tabs.Panel>
        <Tabs.Panel value="clients" pt="md"><Clients /></Tabs.Panel>
        <Tabs.Panel value="hackers" pt="md"><Hackers /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

export const page: PageDef = { path: '/admin', can: 'manage_users', nav: { label: 'nav.admin', order: 90 } };
export default Admin;
