// One offer: the brief, fees and deadline; hackers submit or withdraw proposals and see their fate.
import { Anchor, Button, Card, Group, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { api, getQuery, must } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime, yen } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { useSession } from '../app/session.tsx';
import { ConfirmButton, ErrorAlert, fieldError, StatusBadge } from '../app/ui.tsx';

function OfferPage() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const qc = useQueryClient();
  const id = Number(useParams().id);
  const offer = useQuery({ ...getQuery('/v1/offers/{id}', { path: { id } }), refetchInterval: 5_000 });
  const proposals = useQuery({ ...getQuery('/v1/offers/{id}/proposals', { path: { id } }), enabled: offer.isSuccess, refetchInterval: 5_000 });
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [designUrl, setDesignUrl] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: queryKey('/v1/offers/{id}/proposals', { path: { id } }) });
  const submit = useMutation({
    mutationFn: () =>
      must(api.POST('/v1/offers/{id}/proposals', { params: { path: { id } }, headers: { 'idempotency-key': crypto.randomUUID() }, body: { title, description, design_url: designUrl } })),
    onSuccess: () => {
      setTitle('');
      setDescription('');
      setDesignUrl('');
      return refresh();
    },
  });
  const withdraw = useMutation({ mutationFn: (pid: number) => must(api.POST('/v1/proposals/{id}/withdraw', { params: { path: { id: pid } } })), onSuccess: refresh });
  if (offer.error) return <ErrorAlert error={offer.error} resource />;
  if (!offer.data) return null;
  const o = offer.data;
  const isHacker = session.can.submit_proposal;
  const open = o.status === 'open' && new Date(o.deadline as string).getTime() > Date.now();
  const err = (f: string) => fieldError(submit.error, f);
  return (
    <Stack maw={960}>
      <Group justify="space-between">
        <Title order={1}>{t('cycle.offerNo', { id: o.id })}</Title>
        <StatusBadge value={o.status} />
      </Group>
      <Card withBorder>
        <Stack gap="xs">
          <Text fw={600}>{t('offers.brief')}</Text>
          <Text style={{ whiteSpace: 'pre-wrap' }} data-testid="brief">{o.brief}</Text>
          <Text size="sm">{t('offers.fees', { adoption: yen(o.adoption_fee_yen), bonus: yen(o.win_bonus_yen) })}</Text>
          {o.submission_fee_yen > 0 && <Text size="sm">{t('offers.submissionFee', { fee: yen(o.submission_fee_yen) })}</Text>}
          <Text size="sm">{t('offers.deadline', { when: dateTime(o.deadline as string, i18n.language) })}</Text>
          <Text size="sm">{t('cycle.audience')}: {t(`offerKind.${o.kind}`)}</Text>
          {o.widen_reason && <Text size="sm" c="dimmed">{o.widen_reason}</Text>}
        </Stack>
      </Card>
      <Title order={2} size="h3">{isHacker ? t('offers.myProposals') : t('cycle.proposals')}</Title>
      <ErrorAlert error={withdraw.error ?? proposals.error} />
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('offers.proposalTitle')}</Table.Th>
            <Table.Th>{t('cycle.design')}</Table.Th>
            <Table.Th>{t('common.status')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {proposals.data?.items.map((p) => (
            <Table.Tr key={p.id} data-testid="my-proposal">
              <Table.Td>{p.title}</Table.Td>
              <Table.Td>
                <Anchor href={p.design_url} target="_blank" rel="noreferrer">{t('cycle.design')}</Anchor>
              </Table.Td>
              <Table.Td><StatusBadge value={p.status} /></Table.Td>
              <Table.Td>
                {isHacker && open && p.status === 'submitted' && (
                  <ConfirmButton size="xs" variant="light" color="red" label={t('offers.withdraw')} title={t('offers.withdraw')} body={t('offers.withdrawBody', { title: p.title })} onConfirm={() => withdraw.mutateAsync(p.id).catch(() => undefined)} />
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {isHacker && open && (
        <Card withBorder>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              submit.mutate();
            }}
          >
            <Stack>
              <Title order={2} size="h3">{t('offers.submit')}</Title>
              <TextInput label={t('offers.proposalTitle')} value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={err('title')} />
              <Textarea label={t('offers.description')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={err('description')} autosize minRows={3} />
              <TextInput label={t('offers.designUrl')} placeholder="https://figma.example/…" value={designUrl} onChange={(e) => setDesignUrl(e.currentTarget.value)} error={err('design_url')} />
              {submit.error && !err('title') && !err('description') && !err('design_url') ? <ErrorAlert error={submit.error} /> : null}
              <Group>
                <Button type="submit" loading={submit.isPending}>{t('offers.submitButton')}</Button>
              </Group>
            </Stack>
          </form>
        </Card>
      )}
    </Stack>
  );
}

export const page: PageDef = { path: '/offers/:id', can: 'view_offers', Component: OfferPage };
