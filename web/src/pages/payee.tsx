// My payee details (hackers): how I am paid, the bank account masked; a change to the bank account
// goes to finance for review (nothing is paid on it until approved), and each change shows its status
// and finance's question or reason.
import { Alert, Badge, Button, Card, Group, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, getQuery, must } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { useSession } from '../app/session.tsx';
import { ErrorAlert, fieldError } from '../app/ui.tsx';

const CHANGE_COLOR: Record<string, string> = { pending: 'blue', needs_info: 'orange', approved: 'teal', rejected: 'red', superseded: 'gray' };
const ACCOUNT_TYPES = ['1', '2', '4', '9'] as const;
type AccountType = (typeof ACCOUNT_TYPES)[number];

function BankForm({ hackerId }: { hackerId: number }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [bank, setBank] = useState({ bank_code: '', branch_code: '', account_type: '1' as AccountType, account_number: '', holder_name: '' });
  const submit = useMutation({
    mutationFn: () => must(api.POST('/v1/hackers/{id}/payee/changes', { params: { path: { id: hackerId } }, body: { bank } })),
    onSuccess: async () => {
      setBank({ bank_code: '', branch_code: '', account_type: '1', account_number: '', holder_name: '' });
      await qc.invalidateQueries({ queryKey: queryKey('/v1/hackers/{id}/payee', { path: { id: hackerId } }) });
      await qc.invalidateQueries({ queryKey: queryKey('/v1/hackers/{id}/payee/changes', { path: { id: hackerId } }) });
    },
  });
  const err = (f: string) => fieldError(submit.error, `bank/${f}`);
  const set = (k: keyof typeof bank) => (e: { currentTarget: { value: string } }) => setBank({ ...bank, [k]: e.currentTarget.value });
  return (
    <Card withBorder>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit.mutate();
        }}
      >
        <Stack>
          <Title order={2} size="h3">{t('payee.changeBank')}</Title>
          <Text size="sm">{t('payee.changeNote')}</Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('payee.bankCode')} description={t('payee.bankCodeHint')} value={bank.bank_code} onChange={set('bank_code')} error={err('bank_code')} inputMode="numeric" required />
            <TextInput label={t('payee.branchCode')} description={t('payee.branchCodeHint')} value={bank.branch_code} onChange={set('branch_code')} error={err('branch_code')} inputMode="numeric" required />
            <Select
              label={t('payee.accountType')}
              value={bank.account_type}
              onChange={(v) => setBank({ ...bank, account_type: (v ?? '1') as AccountType })}
              data={ACCOUNT_TYPES.map((v) => ({ value: v, label: t(`payee.accountTypes.${v}`) }))}
              allowDeselect={false}
            />
            <TextInput label={t('payee.accountNumber')} description={t('payee.accountNumberHint')} value={bank.account_number} onChange={set('account_number')} error={err('account_number')} inputMode="numeric" required />
            <TextInput label={t('payee.holderName')} description={t('payee.holderNameHint')} value={bank.holder_name} onChange={set('holder_name')} error={err('holder_name')} required />
          </SimpleGrid>
          {submit.error && !['bank_code', 'branch_code', 'account_number', 'holder_name'].some((f) => err(f)) ? <ErrorAlert error={submit.error} /> : null}
          {submit.isSuccess && <Alert color="teal" data-testid="change-submitted">{t('payee.submitted')}</Alert>}
          <Group>
            <Button type="submit" loading={submit.isPending}>{t('payee.submit')}</Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function PayeePage() {
  const { t, i18n } = useTranslation();
  const id = useSession().user.hacker_id!;
  const payee = useQuery(getQuery('/v1/hackers/{id}/payee', { path: { id } }));
  const changes = useQuery(getQuery('/v1/hackers/{id}/payee/changes', { path: { id } }));
  const p = payee.data;
  return (
    <Stack>
      <Title order={1}>{t('payee.title')}</Title>
      <ErrorAlert error={payee.error ?? changes.error} />
      {p && (
        <Card withBorder data-testid="payee-record">
          <Stack gap={4}>
            <Text size="sm">{t('payee.legalName')}: {p.legal_name ?? '—'}</Text>
            <Text size="sm">{t('payee.type')}: {t(`payeeType.${p.payee_type}`, { defaultValue: p.payee_type })}</Text>
            {p.bank ? (
              <Text data-testid="payee-bank">{t('payee.bankLine', { bank: p.bank.bank_name, branch: p.bank.branch_name, type: t(`payee.accountTypes.${p.bank.account_type}`), number: p.bank.account_number, holder: p.bank.holder_name })}</Text>
            ) : (
              <Text data-testid="payee-bank">{t('payee.noBank')}</Text>
            )}
            {!p.payable.ok && <Alert color="orange">{t(`payee.payable.${p.payable.code}`, { defaultValue: p.payable.reason ?? '' })}</Alert>}
          </Stack>
        </Card>
      )}
      {changes.data && changes.data.items.length > 0 && (
        <Card withBorder>
          <Title order={2} size="h3">{t('payee.changes')}</Title>
          <Stack gap="xs" mt="xs">
            {[...changes.data.items].reverse().map((c) => (
              <Group key={c.id} justify="space-between" data-testid="payee-change" wrap="nowrap" align="flex-start">
                <Stack gap={2}>
                  <Text size="sm">{t('payee.changeLine', { at: dateTime(c.submitted_at, i18n.language), fields: c.fields.map((f) => t(`payee.field.${f}`, { defaultValue: f })).join('、') })}</Text>
                  {c.changes.bank && <Text size="xs" c="dimmed">{c.changes.bank.bank_name} {c.changes.bank.branch_name} {c.changes.bank.account_number}</Text>}
                  {c.comment && <Text size="sm" fw={c.status === 'needs_info' ? 600 : undefined} data-testid="finance-comment">{t(c.status === 'needs_info' ? 'payee.question' : 'payee.reason', { comment: c.comment })}</Text>}
                </Stack>
                <Badge variant="light" color={CHANGE_COLOR[c.status] ?? 'gray'} style={{ flexShrink: 0 }} data-testid="change-status">{t(`payee.status.${c.status}`)}</Badge>
              </Group>
            ))}
          </Stack>
        </Card>
      )}
      <BankForm hackerId={id} />
    </Stack>
  );
}

export const page: PageDef = { path: '/payee', can: 'manage_own_payee', nav: { label: 'nav.payee', order: 32 } };
export default PayeePage;
