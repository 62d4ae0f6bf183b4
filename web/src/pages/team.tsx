// An engagement's growth team and holdout (CS, admin; the client reads them): the members by name with
// their shares, the monthly review (each member's contribution, suggested swaps to accept or dismiss),
// forming the team from the ranking, and the client's persistent holdout share with its measured
// difference. Buttons are the actions the server says it accepts.
import { Alert, Anchor, Button, Card, Group, NumberInput, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, getQuery, must, type Body } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime, percent } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ConfirmButton, ErrorAlert, StatusBadge } from '../app/ui.tsx';

type Team = Body<'/v1/engagements/{id}/team', 'get'>;
type Suggestion = NonNullable<Team['review']>['suggestions'][number];

function SuggestionRow({ s, team, names }: { s: Suggestion; team: Team; names: Map<number, string> }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const decide = useMutation({
    mutationFn: (decision: 'accept' | 'dismiss') =>
      must(api.POST('/v1/engagements/{id}/team/suggestions/{suggestionId}/decision', { params: { path: { id: team.engagement_id, suggestionId: s.id } }, body: { decision, reason: reason.trim() } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKey('/v1/engagements/{id}/team', { path: { id: team.engagement_id } }) }),
  });
  const who = (id: number) => names.get(id) ?? t('team.hacker', { id });
  const box = <Textarea label={t('team.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} minRows={2} />;
  return (
    <Card withBorder padding="sm" data-testid="suggestion">
      <Text size="sm">{t('team.suggestion', { out: who(s.out_hacker_id), in: who(s.in_hacker_id), share: s.share_percent })}</Text>
      <Text size="xs" c="dimmed">{s.reason}</Text>
      <Group mt="xs">
        <StatusBadge value={s.status} />
        {s.status === 'pending' && team.actions.decide_suggestion.allowed && (
          <>
            <ConfirmButton size="xs" label={t('team.accept')} title={t('team.acceptTitle')} body={t('team.acceptBody', { out: who(s.out_hacker_id), in: who(s.in_hacker_id) })} extra={box} confirmDisabled={!reason.trim()} onConfirm={() => decide.mutateAsync('accept')} />
            <ConfirmButton size="xs" variant="light" label={t('team.dismiss')} title={t('team.dismissTitle')} body={t('team.dismissBody')} extra={box} confirmDisabled={!reason.trim()} onConfirm={() => decide.mutateAsync('dismiss')} />
          </>
        )}
      </Group>
      <ErrorAlert error={decide.error} />
    </Card>
  );
}

function Holdout({ clientId }: { clientId: number }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery(getQuery('/v1/clients/{id}/holdout', { path: { id: clientId } }));
  const [value, setValue] = useState<number | string>('');
  const save = useMutation({
    mutationFn: () => must(api.PUT('/v1/clients/{id}/holdout', { params: { path: { id: clientId } }, body: { holdout_percent: Number(value) } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKey('/v1/clients/{id}/holdout', { path: { id: clientId } }) }),
  });
  const h = q.data;
  return (
    <Card withBorder data-testid="holdout-settings">
      <Title order={2} size="h3">{t('team.holdout')}</Title>
      <Text size="sm" c="dimmed">{t('team.holdoutNote')}</Text>
      <ErrorAlert error={q.error ?? save.error} />
      {h && (
        <Stack gap="xs" mt="xs">
          <Text fw={700} data-testid="holdout-percent">{t('team.holdoutNow', { percent: h.holdout_percent })}</Text>
          {h.effect.relative !== null && (
            <Text size="sm">{t('revenue.holdoutDifference', { relative: percent(h.effect.relative), low: percent(h.effect.relative_ci?.[0]), high: percent(h.effect.relative_ci?.[1]) })}</Text>
          )}
          {h.actions.set.allowed && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                save.mutate();
              }}
            >
              <Group align="flex-end">
                <NumberInput label={t('team.holdoutShare')} description={t('team.holdoutShareHint')} min={0} max={50} step={1} suffix="%" value={value} onChange={setValue} />
                <Button type="submit" loading={save.isPending} disabled={value === ''}>{t('team.save')}</Button>
              </Group>
            </form>
          )}
          {save.isSuccess && <Alert color="green" data-testid="holdout-saved">{t('team.holdoutSaved')}</Alert>}
        </Stack>
      )}
    </Card>
  );
}

export default function TeamPage() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const id = Number(useParams().id);
  const e = useQuery(getQuery('/v1/engagements/{id}', { path: { id } }));
  const q = useQuery(getQuery('/v1/engagements/{id}/team', { path: { id } }));
  const form = useMutation({
    mutationFn: () => must(api.POST('/v1/engagements/{id}/team/form', { params: { path: { id } }, body: {} })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKey('/v1/engagements/{id}/team', { path: { id } }) }),
  });
  if (q.error) return <ErrorAlert error={q.error} resource />;
  if (!q.data) return null;
  const team = q.data;
  const names = new Map(team.members.map((m) => [m.hacker_id, m.display_name]));
  const review = team.review;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('team.title')}</Title>
        <Anchor component={Link} to={`/engagements/${id}`}>{t('revenue.back')}</Anchor>
      </Group>
      <Card withBorder>
        <Group justify="space-between">
          <Title order={2} size="h3">{t('team.members')}</Title>
          {team.actions.form_team.allowed && (
            <ConfirmButton label={t('team.form')} title={t('team.formTitle')} body={t('team.formBody')} onConfirm={() => form.mutateAsync()} variant="light" />
          )}
        </Group>
        <ErrorAlert error={form.error} />
        {team.members.length === 0 ? (
          <Text size="sm" mt="xs">{t('team.none')}</Text>
        ) : (
          <Table.ScrollContainer minWidth={420} type="native" tabIndex={0}>
            <Table mt="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('team.name')}</Table.Th>
                  <Table.Th ta="right">{t('team.share')}</Table.Th>
                  <Table.Th>{t('team.joined')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {team.members.map((m) => (
                  <Table.Tr key={m.hacker_id} data-testid="team-member">
                    <Table.Td>{m.display_name}</Table.Td>
                    <Table.Td ta="right">{m.share_percent}%</Table.Td>
                    <Table.Td>{dateTime(m.joined_at, i18n.language)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      <Card withBorder>
        <Title order={2} size="h3">{review ? t('team.review', { month: review.month }) : t('team.reviewNone')}</Title>
        {review && (
          <Stack gap="xs" mt="xs">
            {review.members.map((c) => (
              <Text size="sm" key={c.hacker_id}>
                {t('team.contribution', { name: names.get(c.hacker_id) ?? t('team.hacker', { id: c.hacker_id }), proposals: c.proposals, adoptions: c.adoptions, wins: c.wins })}
              </Text>
            ))}
            {review.suggestions.map((s) => <SuggestionRow key={s.id} s={s} team={team} names={names} />)}
          </Stack>
        )}
      </Card>
      {e.data && <Holdout clientId={e.data.client_id} />}
    </Stack>
  );
}

export const page: PageDef = { path: '/engagements/:id/team', can: 'view_team' };
