// Create an engagement (CS, admin): client, pages with their baseline, fees, offer mode and phase
// durations. The API's validation messages appear next to the fields they name.
import { ActionIcon, Button, Card, Fieldset, Group, NumberInput, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, getQuery, must } from '../api/client.ts';
import type { PageDef } from '../app/pages.ts';
import { useSession } from '../app/session.tsx';
import { ConfirmButton, ErrorAlert, fieldError } from '../app/ui.tsx';

interface PageRow {
  url: string;
  page_type: string;
  baseline_rate: number | string;
  daily_visitors: number | string;
  value_per_conversion_yen: number | string;
}
const emptyPage = (): PageRow => ({ url: '', page_type: '', baseline_rate: '', daily_visitors: '', value_per_conversion_yen: '' });

const SETTINGS = {
  fees: ['adoption_fee_yen', 'win_bonus_yen', 'submission_fee_yen', 'team_retainer_yen'],
  durations: ['planning_seconds', 'offer_window_seconds', 'selection_seconds', 'test_max_seconds', 'interim_check_seconds', 'learning_seconds'],
  other: ['min_proposals', 'mde_relative'],
} as const;
type SettingKey = (typeof SETTINGS)[keyof typeof SETTINGS][number];

const num = (v: number | string) => (v === '' || v === undefined ? undefined : Number(v));

function NewEngagement() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const clients = useQuery(getQuery('/v1/clients', { query: { limit: 500 } }));
  const users = useQuery({ ...getQuery('/v1/users', { query: { limit: 500 } }), enabled: session.can.list_users });
  const [clientId, setClientId] = useState<string | null>(null);
  const [csId, setCsId] = useState<string | null>(null);
  const [offerMode, setOfferMode] = useState<string>('open');
  const [fee, setFee] = useState<number | string>('');
  const [startMonth, setStartMonth] = useState('');
  const [monthSeconds, setMonthSeconds] = useState<number | string>('');
  const [settings, setSettings] = useState<Partial<Record<SettingKey, number | string>>>({});
  const [pages, setPages] = useState<PageRow[]>([emptyPage()]);

  const create = useMutation({
    mutationFn: () =>
      must(
        api.POST('/v1/engagements', {
          body: {
            client_id: Number(clientId ?? 0),
            ...(csId ? { cs_manager_id: Number(csId) } : {}),
            offer_mode: offerMode as 'open',
            monthly_fee_yen: num(fee) as number,
            ...(startMonth ? { start_month: startMonth } : {}),
            ...(num(monthSeconds) ? { month_length_seconds: num(monthSeconds) } : {}),
            settings: Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== '' && v !== undefined).map(([k, v]) => [k, Number(v)])),
            pages: pages
              .filter((p) => p.url || p.page_type)
              .map((p) => ({
                url: p.url,
                page_type: p.page_type,
                baseline_rate: num(p.baseline_rate) as number,
                daily_visitors: num(p.daily_visitors) as number,
                value_per_conversion_yen: num(p.value_per_conversion_yen) as number,
              })),
          },
        }),
      ),
    onSuccess: (e) => void navigate(`/engagements/${e.id}`),
  });
  const err = (f: string) => fieldError(create.error, f);
  const setPage = (i: number, k: keyof PageRow, v: string | number) => setPages((ps) => ps.map((p, j) => (j === i ? { ...p, [k]: v } : p)));
  const csManagers = (users.data?.items ?? []).filter((u) => u.role === 'cs_manager');

  return (
    <Stack maw={960}>
      <Title order={1}>{t('engagements.create')}</Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <Stack>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Select
              label={t('engagements.client')}
              data={(clients.data?.items ?? []).map((c) => ({ value: String(c.id), label: c.name }))}
              value={clientId}
              onChange={setClientId}
              searchable
              error={err('client_id')}
            />
            {session.can.list_users && (
              <Select
                label={t('engagements.csManager')}
                data={csManagers.map((u) => ({ value: String(u.id), label: u.name }))}
                value={csId}
                onChange={setCsId}
                error={err('cs_manager_id')}
              />
            )}
            <Select
              label={t('engagements.offerMode')}
              data={['open', 'targeted', 'team'].map((m) => ({ value: m, label: t(`offerKind.${m}`) }))}
              value={offerMode}
              onChange={(v) => setOfferMode(v ?? 'open')}
              error={err('offer_mode')}
              allowDeselect={false}
            />
            <NumberInput label={t('engagements.fee')} prefix="¥" thousandSeparator="," allowDecimal={false} value={fee} onChange={setFee} error={err('monthly_fee_yen')} />
            <TextInput label={t('engagements.startMonth')} placeholder="2026-12" value={startMonth} onChange={(e) => setStartMonth(e.currentTarget.value)} error={err('start_month')} />
            <NumberInput label={t('engagements.monthSeconds')} description={t('engagements.monthSecondsHint')} value={monthSeconds} onChange={setMonthSeconds} allowDecimal={false} error={err('month_length_seconds')} />
          </SimpleGrid>
          <Fieldset legend={t('engagements.pages')}>
            <Stack>
              {pages.map((p, i) => (
                <Card withBorder key={i} padding="sm">
                  <SimpleGrid cols={{ base: 1, md: 3 }}>
                    <TextInput label={t('engagements.pageUrl')} value={p.url} onChange={(e) => setPage(i, 'url', e.currentTarget.value)} error={err(`pages/${i}/url`)} />
                    <TextInput label={t('engagements.pageType')} placeholder="checkout" value={p.page_type} onChange={(e) => setPage(i, 'page_type', e.currentTarget.value)} error={err(`pages/${i}/page_type`)} />
                    <NumberInput label={t('engagements.baseline')} description={t('engagements.baselineHint')} decimalScale={4} value={p.baseline_rate} onChange={(v) => setPage(i, 'baseline_rate', v)} error={err(`pages/${i}/baseline_rate`)} />
                    <NumberInput label={t('engagements.dailyVisitors')} thousandSeparator="," allowDecimal={false} value={p.daily_visitors} onChange={(v) => setPage(i, 'daily_visitors', v)} error={err(`pages/${i}/daily_visitors`)} />
                    <NumberInput label={t('engagements.valuePerConversion')} prefix="¥" thousandSeparator="," allowDecimal={false} value={p.value_per_conversion_yen} onChange={(v) => setPage(i, 'value_per_conversion_yen', v)} error={err(`pages/${i}/value_per_conversion_yen`)} />
                    <Group align="flex-end">
                      <ActionIcon variant="light" color="red" aria-label={t('engagements.removePage')} onClick={() => setPages((ps) => ps.filter((_, j) => j !== i))}>
                        ×
                      </ActionIcon>
                    </Group>
                  </SimpleGrid>
                </Card>
              ))}
              <Button variant="light" onClick={() => setPages((ps) => [...ps, emptyPage()])}>
                {t('engagements.addPage')}
              </Button>
            </Stack>
          </Fieldset>
          {(Object.keys(SETTINGS) as (keyof typeof SETTINGS)[]).map((group) => (
            <Fieldset key={group} legend={t(`settings.group.${group}`)}>
              <SimpleGrid cols={{ base: 1, md: 3 }}>
                {SETTINGS[group].map((k) => (
                  <NumberInput
                    key={k}
                    label={t(`settings.${k}`)}
                    placeholder={t('settings.default')}
                    {...(k.endsWith('_yen') ? { prefix: '¥', thousandSeparator: ',', allowDecimal: false } : {})}
                    value={settings[k] ?? ''}
                    onChange={(v) => setSettings((s) => ({ ...s, [k]: v }))}
                    error={err(`settings/${k}`)}
                  />
                ))}
              </SimpleGrid>
            </Fieldset>
          ))}
          {create.error && <ErrorAlert error={create.error} />}
          <Group>
            <ConfirmButton
              label={t('engagements.createSubmit')}
              title={t('engagements.createConfirmTitle')}
              body={t('engagements.createConfirmBody', { fee: fee ? `¥${Number(fee).toLocaleString('en-US')}` : '—' })}
              onConfirm={() => create.mutateAsync().catch(() => undefined)}
            />
          </Group>
          {clients.isSuccess && clients.data.items.length === 0 && <Text c="dimmed">{t('engagements.noClients')}</Text>}
        </Stack>
      </form>
    </Stack>
  );
}

export const page: PageDef = { path: '/engagements/new', can: 'create_engagement' };
export default NewEngagement;
