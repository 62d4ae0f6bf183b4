// One invoice or credit note: who it is billed to, its lines and totals, the PDF; for finance the
// review — edit and add lines, hold and release, issue, credit — each offered only when the server's
// `actions` say the request would be accepted, money changes asked to be confirmed.
import { Anchor, Button, Card, Group, Modal, NumberInput, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, getQuery, must, type Body } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime, day, yen } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ConfirmButton, ErrorAlert, fieldError, ResponsiveTable, StatusBadge } from '../app/ui.tsx';

type Invoice = Body<'/v1/invoices/{id}', 'get'>;
type Line = Invoice['lines'][number];

/** A line's edit (or a new adjustment line): description and amount in a dialog. */
function LineDialog(props: { title: string; line?: Line; onClose: () => void; save: (b: { description: string; amount_yen: number }) => Promise<unknown> }) {
  const { t } = useTranslation();
  const [description, setDescription] = useState(props.line?.description ?? '');
  const [amount, setAmount] = useState<number | string>(props.line?.amount_yen ?? '');
  const m = useMutation({ mutationFn: () => props.save({ description, amount_yen: Number(amount) }), onSuccess: props.onClose });
  return (
    <Modal opened onClose={props.onClose} title={props.title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate();
        }}
      >
        <Stack>
          <TextInput label={t('invoices.lineDescription')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} required error={fieldError(m.error, 'description')} />
          <NumberInput label={t('invoices.lineAmount')} description={t('invoices.lineAmountHint')} value={amount} onChange={setAmount} allowDecimal={false} thousandSeparator="," prefix="¥" required error={fieldError(m.error, 'amount_yen')} />
          {m.error && !fieldError(m.error, 'description') && !fieldError(m.error, 'amount_yen') ? <ErrorAlert error={m.error} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={m.isPending}>
              {t('invoices.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export default function InvoicePage() {
  const { t, i18n } = useTranslation();
  const id = Number(useParams().id);
  const qc = useQueryClient();
  const q = useQuery(getQuery('/v1/invoices/{id}', { path: { id } }));
  const [editing, setEditing] = useState<Line | 'new' | null>(null);
  const [holdReason, setHoldReason] = useState('');
  const [creditReason, setCreditReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const done = (inv: Invoice) => {
    setError(null);
    qc.setQueryData(queryKey('/v1/invoices/{id}', { path: { id } }), inv);
    void qc.invalidateQueries({ queryKey: queryKey('/v1/invoices') });
  };
  const run = async (p: Promise<Invoice>) => {
    try {
      done(await p);
    } catch (err) {
      setError(err);
    }
  };
  if (q.error) return <ErrorAlert error={q.error} resource />;
  const inv = q.data;
  if (!inv) return null;
  const a = inv.actions;
  const credit = inv.kind === 'credit_note';
  const name = inv.number ?? t(credit ? 'invoices.draftCredit' : 'invoices.draft', { name: inv.recipient_name });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t(credit ? 'invoices.creditTitle' : 'invoices.invoiceTitle', { name })}</Title>
        <Group>
          <StatusBadge value={inv.status} />
          <StatusBadge value={inv.payment_status} />
        </Group>
      </Group>
      <Group>
        <Button component="a" href={`/v1/invoices/${inv.id}/pdf`} download variant="light" data-testid="invoice-pdf">
          {t('invoices.pdf')}
        </Button>
        <Anchor component={Link} to="/invoices">
          {t('invoices.back')}
        </Anchor>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
        {(
          [
            ['billTo', inv.recipient_name],
            ['period', `${day(inv.period_start)} – ${day(inv.period_end)}`],
            ['issued', day(inv.issue_date)],
            ['due', day(inv.due_date)],
            ['subtotal', yen(inv.subtotal_yen)],
            ['tax', yen(inv.tax_yen)],
            ['total', yen(inv.total_yen)],
            ['outstanding', yen(inv.outstanding_yen)],
          ] as const
        ).map(([k, v]) => (
          <Card withBorder padding="sm" key={k}>
            <Text size="xs" c="dimmed">
              {t(`invoices.${k}`)}
            </Text>
            <Text fw={700} data-testid={`invoice-${k}`}>
              {v}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      {inv.hold_reason && <Text data-testid="hold-reason">{t('invoices.heldBecause', { reason: inv.hold_reason })}</Text>}
      {inv.original && (
        <Text>
          {t('invoices.creditOf')}{' '}
          <Anchor component={Link} to={`/invoices/${inv.original.id}`}>
            {inv.original.number}
          </Anchor>
        </Text>
      )}
      <Title order={2}>{t('invoices.lines')}</Title>
      <ResponsiveTable minWidth={560}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('invoices.lineDescription')}</Table.Th>
            <Table.Th ta="right">{t('invoices.lineAmount')}</Table.Th>
            <Table.Th ta="right">{t('invoices.taxRate')}</Table.Th>
            {a.edit_lines.allowed && <Table.Th>{t('common.actions')}</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {inv.lines.map((l) => (
            <Table.Tr key={l.id} data-testid="invoice-line">
              <Table.Td>{l.description}</Table.Td>
              <Table.Td ta="right">{yen(l.amount_yen)}</Table.Td>
              <Table.Td ta="right">{l.tax_rate_bp / 100}%</Table.Td>
              {a.edit_lines.allowed && (
                <Table.Td>
                  <Button size="xs" variant="default" onClick={() => setEditing(l)} aria-label={t('invoices.editLineOf', { line: l.description })}>
                    {t('invoices.editLine')}
                  </Button>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ResponsiveTable>
      {editing && (
        <LineDialog
          title={editing === 'new' ? t('invoices.addLine') : t('invoices.editLine')}
          line={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
          save={async (b) =>
            done(
              editing === 'new'
                ? await must(api.POST('/v1/invoices/{id}/lines', { params: { path: { id } }, body: b }))
                : await must(api.PATCH('/v1/invoices/{id}/lines/{lineId}', { params: { path: { id, lineId: editing.id } }, body: b })),
            )
          }
        />
      )}
      <ErrorAlert error={error} />
      <Group>
        {a.add_line.allowed && (
          <Button variant="default" onClick={() => setEditing('new')}>
            {t('invoices.addLine')}
          </Button>
        )}
        {a.hold.allowed && (
          <ConfirmButton
            label={t('invoices.hold')}
            title={t('invoices.holdTitle')}
            body={t('invoices.holdBody')}
            color="orange"
            extra={<Textarea label={t('invoices.reason')} value={holdReason} onChange={(e) => setHoldReason(e.currentTarget.value)} required />}
            confirmDisabled={holdReason.trim() === ''}
            onConfirm={() => run(must(api.POST('/v1/invoices/{id}/hold', { params: { path: { id } }, body: { reason: holdReason.trim() } })))}
          />
        )}
        {a.release.allowed && (
          <ConfirmButton
            label={t('invoices.release')}
            title={t('invoices.releaseTitle')}
            body={t('invoices.releaseBody')}
            onConfirm={() => run(must(api.POST('/v1/invoices/{id}/release', { params: { path: { id } } })))}
          />
        )}
        {a.issue.allowed && (
          <ConfirmButton
            label={t('invoices.issue')}
            title={t('invoices.issueTitle')}
            body={t('invoices.issueBody', { name: inv.recipient_name, total: yen(inv.total_yen), due: day(inv.due_date) })}
            onConfirm={() => run(must(api.POST('/v1/invoices/{id}/issue', { params: { path: { id } } })))}
          />
        )}
        {a.credit_note.allowed && (
          <ConfirmButton
            label={t('invoices.credit')}
            title={t('invoices.creditDialog')}
            body={t('invoices.creditBody', { number: inv.number, total: yen(inv.total_yen) })}
            color="red"
            extra={<Textarea label={t('invoices.reason')} value={creditReason} onChange={(e) => setCreditReason(e.currentTarget.value)} required />}
            confirmDisabled={creditReason.trim() === ''}
            onConfirm={async () => {
              try {
                const cn = await must(api.POST('/v1/invoices/{id}/credit-notes', { params: { path: { id } }, body: { reason: creditReason.trim() } }));
                setCreditReason('');
                void qc.invalidateQueries({ queryKey: queryKey('/v1/invoices') });
                done((await must(api.GET('/v1/invoices/{id}', { params: { path: { id } } }))) as Invoice);
                return cn;
              } catch (err) {
                setError(err);
              }
            }}
          />
        )}
      </Group>
      {inv.status === 'issued' && a.credit_note.allowed && <Text size="sm">{t('invoices.issuedNote')}</Text>}
      {inv.credit_notes.length > 0 && (
        <>
          <Title order={2}>{t('invoices.creditNotes')}</Title>
          {inv.credit_notes.map((c) => (
            <Text key={c.id}>
              <Anchor component={Link} to={`/invoices/${c.id}`}>
                {c.number ?? c.id}
              </Anchor>{' '}
              · {yen(c.total_yen)} · {day(c.issue_date)}
            </Text>
          ))}
        </>
      )}
      {inv.receipts.length > 0 && (
        <>
          <Title order={2}>{t('invoices.receipts')}</Title>
          {inv.receipts.map((r) => (
            <Text key={r.id}>
              {day(r.received_on)} · {yen(r.amount_yen)}
              {r.fee_yen ? ` · ${t('invoices.fee', { fee: yen(r.fee_yen) })}` : ''}
            </Text>
          ))}
        </>
      )}
      {inv.issued_at && <Text size="sm" c="dimmed">{t('invoices.issuedAt', { when: dateTime(inv.issued_at, i18n.language) })}</Text>}
    </Stack>
  );
}

export const page: PageDef = {
  path: '/invoices/:id',
  can: 'view_invoices',
};
