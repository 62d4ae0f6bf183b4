// Receipts (入金消込, finance): import the bank's statement CSV (each line matched to an open invoice
// when amount and payer agree), then the receipts waiting for finance, each matched by hand to an
// open invoice (the shortfall, if any, booked as the bank fee) after a confirmation.
import { Button, Card, FileInput, Group, NumberInput, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, everyQuery, must, type Body, type Item } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { day, yen } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ConfirmButton, ErrorAlert, fieldError, MoreButton, usePaged } from '../app/ui.tsx';

type Receipt = Item<'/v1/receipts'>;

// The matcher's reasons (src/domain/billing/matching.ts) in the reader's words; another is shown generically.
const REASONS: Record<string, string> = {
  'payer name is not readable as kana': 'receipts.reason.unreadable',
  'no open invoice for this payer name': 'receipts.reason.noPayer',
  'amount matches no open invoice of this payer (within the fee tolerance)': 'receipts.reason.noAmount',
};
type OpenInvoice = Item<'/v1/invoices'>;

function Import() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const m = useMutation({
    mutationFn: async (f: File) =>
      must(api.POST('/v1/receipts/import', { body: await f.text(), headers: { 'content-type': 'text/csv' }, bodySerializer: (b: string) => b })) as Promise<Body<'/v1/receipts/import', 'post'>>,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: queryKey('/v1/receipts') });
      void qc.invalidateQueries({ queryKey: queryKey('/v1/invoices') });
    },
  });
  return (
    <Card withBorder>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (file) m.mutate(file);
        }}
      >
        <Stack>
          <Title order={2}>{t('receipts.import')}</Title>
          <Text size="sm">{t('receipts.importHint')}</Text>
          <Group align="flex-end">
            <FileInput label={t('receipts.file')} accept=".csv,text/csv" value={file} onChange={setFile} w={320} />
            <Button type="submit" disabled={!file} loading={m.isPending}>
              {t('receipts.importButton')}
            </Button>
          </Group>
          {m.error && (
            <>
              <ErrorAlert error={m.error} />
              {/* A bad file names its line and column: /body/line/<n>/<column>. */}
              {(m.error as { details?: { path: string; message: string }[] }).details?.map((d) => (
                <Text size="sm" c="red.9" key={d.path}>
                  {t('receipts.badLine', { where: d.path.replace(/^\/body\/line\//, '').replace('/', ' · '), message: d.message })}
                </Text>
              ))}
            </>
          )}
          {m.data && (
            <Text data-testid="import-result">{t('receipts.imported', { lines: m.data.lines, created: m.data.created, matched: m.data.matched, unmatched: m.data.unmatched })}</Text>
          )}
        </Stack>
      </form>
    </Card>
  );
}

function Waiting({ r, open }: { r: Receipt; open: OpenInvoice[] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [invoiceId, setInvoiceId] = useState<string | null>(null);
  const [fee, setFee] = useState<number | string>(0);
  const [error, setError] = useState<unknown>(null);
  const chosen = open.find((i) => String(i.id) === invoiceId);
  return (
    <Card withBorder data-testid="unmatched-receipt">
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>{r.payer_name}</Text>
          <Text fw={700}>{yen(r.amount_yen)}</Text>
        </Group>
        <Text size="sm">
          {t('receipts.receivedOn', { date: day(r.received_on) })}
          {` · ${t(REASONS[r.unmatched_reason ?? ''] ?? 'receipts.whyUnmatched')}`}
        </Text>
        {r.actions.match.allowed && (
          <Group align="flex-end">
            <Select
              label={t('receipts.invoice')}
              placeholder={t('receipts.pickInvoice')}
              searchable
              value={invoiceId}
              onChange={setInvoiceId}
              data={open.map((i) => ({ value: String(i.id), label: t('receipts.invoiceOption', { number: i.number, name: i.recipient_name, outstanding: yen(i.outstanding_yen) }) }))}
              w={380}
              error={fieldError(error, 'invoice_id')}
            />
            <NumberInput label={t('receipts.fee')} description={t('receipts.feeHint')} value={fee} onChange={setFee} min={0} allowDecimal={false} prefix="¥" w={160} error={fieldError(error, 'fee_yen')} />
            <ConfirmButton
              label={t('receipts.match')}
              title={t('receipts.matchTitle')}
              body={chosen ? t('receipts.matchBody', { amount: yen(r.amount_yen), payer: r.payer_name, number: chosen.number, name: chosen.recipient_name, fee: yen(Number(fee) || 0) }) : ''}
              disabled={!chosen}
              onConfirm={async () => {
                try {
                  await must(api.POST('/v1/receipts/{id}/match', { params: { path: { id: r.id } }, body: { invoice_id: chosen!.id, fee_yen: Number(fee) || 0 } }));
                  setError(null);
                  void qc.invalidateQueries({ queryKey: queryKey('/v1/receipts') });
                  void qc.invalidateQueries({ queryKey: queryKey('/v1/invoices') });
                } catch (err) {
                  setError(err);
                }
              }}
            />
          </Group>
        )}
        {error && !fieldError(error, 'invoice_id') && !fieldError(error, 'fee_yen') ? <ErrorAlert error={error} /> : null}
      </Stack>
    </Card>
  );
}

export default function Receipts() {
  const { t } = useTranslation();
  const q = usePaged('/v1/receipts', { query: { status: 'unmatched' } });
  // Open issued invoices to match against: those with something outstanding.
  const invoices = useQuery(everyQuery('/v1/invoices', { query: { status: 'issued', kind: 'invoice', limit: 500 } }));
  const open = (invoices.data ?? []).filter((i) => i.outstanding_yen > 0);
  return (
    <Stack>
      <Title order={1}>{t('receipts.title')}</Title>
      <Import />
      <Title order={2}>{t('receipts.waiting')}</Title>
      <ErrorAlert error={q.error ?? invoices.error} />
      {q.isSuccess && q.items.length === 0 && <Text>{t('receipts.none')}</Text>}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {q.items.map((r) => (
          <Waiting key={r.id} r={r} open={open} />
        ))}
      </SimpleGrid>
      <MoreButton q={q} />
    </Stack>
  );
}

export const page: PageDef = {
  path: '/receipts',
  can: 'view_receipts',
  nav: { label: 'nav.receipts', order: 64 },
};
