// One payout run, for review: totals, the items (server-side paging and status filter, so 10,000
// items stay fast), hold/release with a reason, approve/reject under the four-eyes rule, the Zengin
// file, the withholding summary with its due date, the remittance and the audit trail. After the
// hand-over each transfer waits for the bank's result; a failed or returned one puts the run in
// needs_attention, and finance retries, moves or cancels it as its `actions` allow (the server's rules).
import { Alert, Anchor, Badge, Button, Card, Group, Select, SimpleGrid, Stack, Table, Tabs, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { api, getQuery, must, type Body } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime, day, tokyoToday, yen } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { useMessage } from '../app/messages.ts';
import { ConfirmButton, ErrorAlert, fieldError, LIVE_MS, ResponsiveTable, StatusBadge } from '../app/ui.tsx';
import { PAYOUT_ITEM_STATUSES } from '../../../src/shared/payouts.ts';

type Run = Body<'/v1/payout-runs/{id}', 'get'>;
type Item = Body<'/v1/payout-runs/{id}/items', 'get'>['items'][number];
const PAGE = 50;

function Figure({ label, value, testid }: { label: string; value: string | number; testid?: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} data-testid={testid}>
        {value}
      </Text>
    </Card>
  );
}

function ReasonAction({ label, title, body, color, onConfirm }: { label: string; title: string; body: string; color?: string; onConfirm: (reason: string) => Promise<unknown> }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  return (
    <ConfirmButton
      size="xs"
      variant="light"
      color={color}
      label={label}
      title={title}
      body={body}
      confirmDisabled={!reason.trim()}
      extra={<Textarea label={t('payouts.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} required autoFocus />}
      onConfirm={() => onConfirm(reason.trim())}
    />
  );
}

function Items({ run, canDecide }: { run: Run; canDecide: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [status, setStatus] = useState<string | null>(null);
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const after = cursors[cursors.length - 1];
  const q = useQuery({
    // Again whenever the run changes (a hold, a release, a payment), as well as on a filter or page.
    ...getQuery('/v1/payout-runs/{id}/items', { path: { id: run.id }, query: { limit: PAGE, after_id: after, status: (status ?? undefined) as never } }, run.status, run.updated_at),
    placeholderData: (prev) => prev,
  });
  const [error, setError] = useState<unknown>(null);
  const act = async (item: Item, action: 'hold' | 'release' | 'retry' | 'move-to-next-run' | 'cancel', reason: string) => {
    setError(null);
    try {
      await must(api.POST(`/v1/payout-runs/{id}/items/{itemId}/${action}`, { params: { path: { id: run.id, itemId: item.id } }, body: { reason } }));
      await qc.invalidateQueries({ queryKey: queryKey('/v1/payout-runs/{id}/items', { path: { id: run.id } }) });
      await qc.invalidateQueries({ queryKey: queryKey('/v1/payout-runs/{id}', { path: { id: run.id } }) });
    } catch (err) {
      setError(err);
    }
  };
  const inReview = run.status === 'review';
  return (
    <Stack>
      <Group>
        <Select
          label={t('payouts.filterStatus')}
          placeholder={t('payouts.allItems')}
          clearable
          value={status}
          onChange={(v) => {
            setStatus(v);
            setCursors([undefined]);
          }}
          data={PAYOUT_ITEM_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
        />
      </Group>
      <ErrorAlert error={error ?? q.error} />
      <ResponsiveTable striped highlightOnHover stickyHeader minWidth={900}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('payouts.payee')}</Table.Th>
            <Table.Th>{t('payouts.kind')}</Table.Th>
            <Table.Th ta="right">{t('payouts.gross')}</Table.Th>
            <Table.Th ta="right">{t('payouts.withholding')}</Table.Th>
            <Table.Th ta="right">{t('payouts.net')}</Table.Th>
            <Table.Th>{t('payouts.flags')}</Table.Th>
            <Table.Th>{t('common.status')}</Table.Th>
            <Table.Th>{t('common.actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.data?.items.map((item) => (
            <Table.Tr key={item.id} data-testid="payout-item">
              <Table.Td>
                {item.display_name}
                {item.bank_masked ? (
                  <Text size="xs" c="dimmed">
                    {item.bank_masked.bank_name} {item.bank_masked.account_number}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>{t(`payeeType.${item.payee_type}`)}</Table.Td>
              <Table.Td ta="right">{yen(item.gross_payable)}</Table.Td>
              <Table.Td ta="right">{yen(item.withholding)}</Table.Td>
              <Table.Td ta="right">{yen(item.net_transfer)}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {item.flags.map((f) => (
                    <Badge key={f} color="orange" variant="outline" size="sm">
                      {t(`flags.${f}`)}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>
                <StatusBadge value={item.status} />
                {item.hold_reason && (
                  <Text size="xs" c="dimmed">
                    {item.hold_reason}
                  </Text>
                )}
                {item.attempt > 1 && (
                  <Text size="xs" c="dimmed">
                    {t('payouts.attempt', { n: item.attempt })}
                  </Text>
                )}
                {item.failure_reason && ['failed', 'returned'].includes(item.status) && (
                  <Text size="xs" c="red.9" data-testid="failure-reason">
                    {t('payouts.failureReason', { reason: item.failure_reason })}
                  </Text>
                )}
                {item.resolution && (
                  <Text size="xs" c="dimmed">
                    {item.resolution === 'moved' ? t('payouts.resolvedMoved') : t('payouts.resolvedCancelled', { reason: item.resolution_reason ?? item.cancel_reason ?? '' })}
                  </Text>
                )}
                {!item.resolution && item.cancel_requested_by != null && (
                  <Text size="xs" c="orange.9">
                    {t('payouts.cancelRequested', { id: item.cancel_requested_by, reason: item.cancel_reason ?? '' })}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {canDecide && inReview && item.status === 'pending' && (
                  <ReasonAction
                    label={t('payouts.hold')}
                    color="orange"
                    title={t('payouts.holdTitle', { name: item.display_name })}
                    body={t('payouts.holdBody', { amount: yen(item.net_transfer) })}
                    onConfirm={(r) => act(item, 'hold', r)}
                  />
                )}
                {canDecide && inReview && item.status === 'held' && (
                  <ReasonAction
                    label={t('payouts.release')}
                    title={t('payouts.releaseTitle', { name: item.display_name })}
                    body={t('payouts.releaseBody', { amount: yen(item.net_transfer) })}
                    onConfirm={(r) => act(item, 'release', r)}
                  />
                )}
                {/* A failed or returned transfer: what the server allows this caller, nothing decided here. */}
                <Group gap={4}>
                  {item.actions.retry.allowed && (
                    <ReasonAction
                      label={t('payouts.retry')}
                      title={t('payouts.retryTitle', { name: item.display_name })}
                      body={t('payouts.retryBody', { amount: yen(item.net_transfer) })}
                      onConfirm={(r) => act(item, 'retry', r)}
                    />
                  )}
                  {item.actions.move_to_next_run.allowed && (
                    <ReasonAction
                      label={t('payouts.moveToNextRun')}
                      title={t('payouts.moveTitle', { name: item.display_name })}
                      body={t('payouts.moveBody', { amount: yen(item.net_transfer) })}
                      onConfirm={(r) => act(item, 'move-to-next-run', r)}
                    />
                  )}
                  {item.actions.cancel.allowed && (
                    <ReasonAction
                      color="red"
                      label={item.cancel_requested_by != null ? t('payouts.confirmCancel') : t('payouts.cancelItem')}
                      title={t(item.cancel_requested_by != null ? 'payouts.confirmCancelTitle' : 'payouts.cancelTitle', { name: item.display_name })}
                      body={
                        item.cancel_requested_by != null
                          ? t('payouts.confirmCancelBody', { id: item.cancel_requested_by, amount: yen(item.net_transfer), reason: item.cancel_reason ?? '' })
                          : t('payouts.cancelBody', { amount: yen(item.net_transfer) })
                      }
                      onConfirm={(r) => act(item, 'cancel', r)}
                    />
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ResponsiveTable>
      {q.data && q.data.items.length === 0 && <Text>{t('payouts.noItems')}</Text>}
      <Group>
        <Button variant="default" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
          {t('common.previous')}
        </Button>
        <Text size="sm">{t('common.pageNo', { n: cursors.length })}</Text>
        <Button variant="default" disabled={!q.data?.next_after_id} onClick={() => setCursors((c) => [...c, q.data!.next_after_id!])}>
          {t('common.next')}
        </Button>
      </Group>
    </Stack>
  );
}

function Decision({ run }: { run: Run }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [reason, setReason] = useState('');
  // Every hook before the early returns: otherwise a run leaving review renders fewer hooks (React #300, the page crashed).
  const m = useMessage();
  const refresh = () => qc.invalidateQueries({ queryKey: queryKey('/v1/payout-runs/{id}', { path: { id: run.id } }) });
  if (run.status !== 'review') return null;
  // The server says what the caller may decide (role, the run's state, four eyes): no rule here.
  if (!run.actions.reject.allowed) return <Alert color="blue">{t('payouts.financeOnly')}</Alert>;
  const fourEyes = !run.actions.approve.allowed;
  return (
    <Card withBorder>
      <Stack>
        <Title order={2} size="h3">
          {t('payouts.decisionTitle')}
        </Title>
        <Text data-testid="prepared-by">{t('payouts.preparedBy', { who: run.prepared_by == null ? m.actor({ actor: 'schedule' }) : m.person(run.prepared_by, run.prepared_by_name) })}</Text>
        {fourEyes ? (
          <Alert color="yellow" title={t('payouts.fourEyesTitle')} data-testid="four-eyes">
            {t('payouts.fourEyesSelf')}
          </Alert>
        ) : (
          <Text size="sm">{t('payouts.fourEyesOk')}</Text>
        )}
        <ErrorAlert error={error} />
        <Group>
          <ConfirmButton
            label={t('payouts.approve')}
            color="green"
            disabled={fourEyes}
            title={t('payouts.approveTitle', { month: run.month })}
            body={t('payouts.approveBody', { count: run.totals.pending, amount: yen(run.totals.to_pay_net_yen), date: run.payment_date ?? '—' })}
            onConfirm={async () => {
              setError(null);
              try {
                await must(api.POST('/v1/payout-runs/{id}/approve', { params: { path: { id: run.id } } }));
                await refresh();
              } catch (err) {
                setError(err);
              }
            }}
          />
          <ConfirmButton
            label={t('payouts.reject')}
            color="red"
            variant="light"
            title={t('payouts.rejectTitle', { month: run.month })}
            body={t('payouts.rejectBody')}
            confirmDisabled={!reason.trim()}
            extra={<Textarea label={t('payouts.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} required />}
            onConfirm={async () => {
              setError(null);
              try {
                await must(api.POST('/v1/payout-runs/{id}/reject', { params: { path: { id: run.id } }, body: { reason: reason.trim() } }));
                await refresh();
              } catch (err) {
                setError(err);
              }
            }}
          />
        </Group>
      </Stack>
    </Card>
  );
}

function Withholding({ run }: { run: Run }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const w = useQuery({
    ...getQuery('/v1/payout-runs/{id}/withholding', { path: { id: run.id } }, run.status),
    retry: false,
  });
  const [remittedOn, setRemittedOn] = useState(tokyoToday());
  const [note, setNote] = useState('');
  const remit = useMutation({
    mutationFn: () => must(api.POST('/v1/payout-runs/{id}/remittance', { params: { path: { id: run.id } }, body: { remitted_on: remittedOn, ...(note ? { note } : {}) } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKey('/v1/payout-runs/{id}', { path: { id: run.id } }) }),
  });
  if (w.error) return <ErrorAlert error={w.error} />;
  if (!w.data) return null;
  const s = w.data;
  return (
    <Stack>
      <Text>{t('payouts.withholdingDue', { month: s.month, date: s.due_date })}</Text>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th />
            <Table.Th ta="right">{t('payouts.payees')}</Table.Th>
            <Table.Th ta="right">{t('payouts.base')}</Table.Th>
            <Table.Th ta="right">{t('payouts.tax')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(['residents', 'nonresidents'] as const).map((k) => (
            <Table.Tr key={k}>
              <Table.Td>{t(`payouts.${k}`)}</Table.Td>
              <Table.Td ta="right">{s[k].payees}</Table.Td>
              <Table.Td ta="right">{yen(s[k].base_total)}</Table.Td>
              <Table.Td ta="right">{yen(s[k].tax_total)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {s.remitted_on ? (
        <Text>{t('payouts.remittedOn', { date: s.remitted_on })}</Text>
      ) : run.actions.record_remittance.allowed ? (
        <Card withBorder>
          <Stack>
            <Group align="flex-end">
              <TextInput type="date" label={t('payouts.remittedOnLabel')} value={remittedOn} onChange={(e) => setRemittedOn(e.currentTarget.value)} error={fieldError(remit.error, 'remitted_on')} />
              <TextInput label={t('payouts.note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} error={fieldError(remit.error, 'note')} />
              <ConfirmButton
                label={t('payouts.recordRemittance')}
                title={t('payouts.recordRemittance')}
                body={t('payouts.remitBody', { amount: yen(s.residents.tax_total + s.nonresidents.tax_total), date: remittedOn })}
                onConfirm={() => remit.mutateAsync().catch(() => undefined)}
              />
            </Group>
            {remit.error && !fieldError(remit.error, 'remitted_on') ? <ErrorAlert error={remit.error} /> : null}
          </Stack>
        </Card>
      ) : null}
    </Stack>
  );
}

function Audit({ run }: { run: Run }) {
  const { t, i18n } = useTranslation();
  const m = useMessage();
  const q = useQuery(getQuery('/v1/payout-runs/{id}/audit', { path: { id: run.id }, query: { limit: 500 } }, run.updated_at));
  return (
    <Stack>
      <ErrorAlert error={q.error} />
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('payouts.when')}</Table.Th>
            <Table.Th>{t('payouts.actor')}</Table.Th>
            <Table.Th>{t('payouts.action')}</Table.Th>
            <Table.Th>{t('payouts.reason')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.data?.items.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>{dateTime(a.created_at as string, i18n.language)}</Table.Td>
              <Table.Td data-testid="audit-actor">{m.actor(a)}</Table.Td>
              <Table.Td data-testid="audit-action">{m.audit(a.action)}</Table.Td>
              <Table.Td>{a.reason ?? ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function PayoutRun() {
  const { t, i18n } = useTranslation();
  const m = useMessage();
  const id = Number(useParams().id);
  const q = useQuery({
    ...getQuery('/v1/payout-runs/{id}', { path: { id } }),
    refetchInterval: (query) => (['drafting', 'paying', 'needs_attention'].includes(query.state.data?.status ?? '') ? LIVE_MS : 10_000),
  });
  if (q.error) return <ErrorAlert error={q.error} resource />;
  if (!q.data) return null;
  const run = q.data;
  const tt = run.totals;
  const files = Array.from({ length: tt.zengin_files }, (_, i) => i + 1);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('payouts.runOf', { month: run.month })}</Title>
        <StatusBadge value={run.status} />
      </Group>
      <Text>
        {t('payouts.paymentDate')}: {day(run.payment_date)} · {t('payouts.updated')}: {dateTime(run.updated_at as string, i18n.language)}
      </Text>
      {run.status === 'needs_attention' ? (
        <Alert color="red" title={t('payouts.needsAttentionTitle')} data-testid="needs-attention">
          {t('payouts.needsAttention', { count: tt.needs_resolution })}
        </Alert>
      ) : run.waiting_for ? (
        <Alert color="blue">{m.waitingFor(run)}</Alert>
      ) : null}
      {tt.handed_to_bank > 0 && <Alert color="gray">{t('payouts.awaitingResults', { count: tt.handed_to_bank })}</Alert>}
      {run.decision_reason && <Alert color={run.status === 'rejected' ? 'red' : 'gray'}>{t('payouts.decisionReason', { reason: run.decision_reason })}</Alert>}
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Figure label={t('payouts.items')} value={tt.items} />
        <Figure label={t('payouts.gross')} value={yen(tt.gross_yen)} testid="total-gross" />
        <Figure label={t('payouts.withholding')} value={yen(tt.withholding_yen)} />
        <Figure label={t('payouts.toPayNet')} value={yen(tt.to_pay_net_yen)} />
        <Figure label={t('payouts.heldCount')} value={`${tt.held} (${yen(tt.held_gross_yen)})`} testid="total-held" />
        <Figure label={t('payouts.flagged')} value={tt.flagged} />
        <Figure label={t('payouts.sentNet')} value={yen(tt.sent_net_yen)} />
        <Figure label={t('payouts.confirmedNet')} value={yen(tt.confirmed_net_yen)} testid="total-confirmed" />
        <Figure label={t('payouts.carried')} value={`${tt.carried_forward_payees} (${yen(tt.carried_forward_yen)})`} />
      </SimpleGrid>
      <Decision run={run} />
      {files.length > 0 && (
        <Group>
          {/* One file per round of transfers: the first hand-over, then each round of retries. */}
          {files.map((n) => (
            <Anchor key={n} href={`/v1/payout-runs/${run.id}/zengin?file=${n}`} download={`zengin-${run.month}-${n}.txt`} data-testid={`zengin-${n}`}>
              {files.length === 1 ? t('payouts.zengin') : t('payouts.zenginFile', { n })}
            </Anchor>
          ))}
        </Group>
      )}
      <Tabs defaultValue="items">
        <Tabs.List>
          <Tabs.Tab value="items">{t('payouts.itemsTab')}</Tabs.Tab>
          <Tabs.Tab value="withholding">{t('payouts.withholdingTab')}</Tabs.Tab>
          <Tabs.Tab value="audit">{t('payouts.auditTab')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="items" pt="md">
          <Items run={run} canDecide={run.actions.hold.allowed || run.actions.release.allowed} />
        </Tabs.Panel>
        <Tabs.Panel value="withholding" pt="md">
          <Withholding run={run} />
        </Tabs.Panel>
        <Tabs.Panel value="audit" pt="md">
          <Audit run={run} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

export const page: PageDef = { path: '/payout-runs/:id', can: 'view_payouts' };
export default PayoutRun;
