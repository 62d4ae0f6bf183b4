// Finance's payee-change queue: each payee's own change (bank details masked) to approve, reject
// with a reason, or answer with a question; the buttons are the actions the server says it accepts.
import { Badge, Card, Group, SegmentedControl, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, getQuery, must, type Item } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ConfirmButton, ErrorAlert } from '../app/ui.tsx';

type Change = Item<'/v1/payee-changes'>;
type Status = 'pending' | 'needs_info' | 'approved' | 'rejected';
const STATUSES: Status[] = ['pending', 'needs_info', 'approved', 'rejected'];

function ChangeCard({ c }: { c: Change }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const decide = useMutation({
    mutationFn: (d: 'approve' | 'reject' | 'ask') =>
      must(
        d === 'approve'
          ? api.POST('/v1/payee-changes/{id}/approve', { params: { path: { id: c.id } }, body: {} })
          : d === 'reject'
            ? api.POST('/v1/payee-changes/{id}/reject', { params: { path: { id: c.id } }, body: { reason: reason.trim() } })
            : api.POST('/v1/payee-changes/{id}/ask', { params: { path: { id: c.id } }, body: { reason: reason.trim() } }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKey('/v1/payee-changes') }),
  });
  const reasonBox = <Textarea label={t('payeeChanges.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} minRows={2} />;
  const bank = c.changes.bank;
  return (
    <Card withBorder data-testid="payee-change-card">
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={4}>
          <Text fw={600}>{c.display_name}</Text>
          <Text size="sm">{t('payeeChanges.submitted', { at: dateTime(c.submitted_at, i18n.language), fields: c.fields.map((f) => t(`payee.field.${f}`, { defaultValue: f })).join('、') })}</Text>
          {bank && <Text size="sm" data-testid="masked-bank">{t('payee.bankLine', { bank: bank.bank_name, branch: bank.branch_name, type: t(`payee.accountTypes.${bank.account_type}`), number: bank.account_number, holder: bank.holder_name })}</Text>}
          {c.comment && <Text size="sm" c="dimmed">{t(c.status === 'needs_info' ? 'payee.question' : 'payee.reason', { comment: c.comment })}</Text>}
        </Stack>
        <Badge variant="light" style={{ flexShrink: 0 }}>{t(`payee.status.${c.status}`)}</Badge>
      </Group>
      <ErrorAlert error={decide.error} />
      {(c.actions.approve.allowed || c.actions.reject.allowed || c.actions.ask.allowed) && (
        <Group mt="sm">
          {c.actions.approve.allowed && (
            <ConfirmButton label={t('payeeChanges.approve')} title={t('payeeChanges.approveTitle')} body={t('payeeChanges.approveBody', { name: c.display_name })} onConfirm={() => decide.mutateAsync('approve')} />
          )}
          {c.actions.ask.allowed && (
            <ConfirmButton label={t('payeeChanges.ask')} title={t('payeeChanges.askTitle')} body={t('payeeChanges.askBody', { name: c.display_name })} extra={reasonBox} confirmDisabled={!reason.trim()} onConfirm={() => decide.mutateAsync('ask')} variant="light" />
          )}
          {c.actions.reject.allowed && (
            <ConfirmButton label={t('payeeChanges.reject')} title={t('payeeChanges.rejectTitle')} body={t('payeeChanges.rejectBody', { name: c.display_name })} extra={reasonBox} confirmDisabled={!reason.trim()} onConfirm={() => decide.mutateAsync('reject')} color="red" variant="light" />
          )}
        </Group>
      )}
    </Card>
  );
}

function PayeeChanges() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<Status>('pending');
  const q = useQuery(getQuery('/v1/payee-changes', { query: { status, limit: 200 } }));
  return (
    <Stack>
      <Title order={1}>{t('payeeChanges.title')}</Title>
      <SegmentedControl aria-label={t('payeeChanges.filter')} value={status} onChange={(v) => setStatus(v as Status)} data={STATUSES.map((s) => ({ value: s, label: t(`payee.status.${s}`) }))} />
      <ErrorAlert error={q.error} />
      {q.data?.items.length === 0 && <Text>{t('payeeChanges.none')}</Text>}
      {q.data?.items.map((c) => <ChangeCard key={c.id} c={c} />)}
    </Stack>
  );
}

export const page: PageDef = { path: '/payee-changes', can: 'review_payee_changes', nav: { label: 'nav.payeeChanges', order: 65 } };
export default PayeeChanges;
