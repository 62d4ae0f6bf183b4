// A hacker's profile: the grade and its monthly history, the track record by industry, and every
// proposal across offers with its fate (the hacker's own; staff see anyone's). Another hacker's is a 404.
import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { getQuery } from '../api/client.ts';
import { dateTime, percent } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ErrorAlert } from '../app/ui.tsx';

const GRADE_COLOR: Record<string, string> = { gold: 'yellow', silver: 'gray', bronze: 'orange', none: 'gray' };
const FATE_COLOR: Record<string, string> = { won: 'teal', lost: 'red', selected: 'blue', passed: 'indigo', returned: 'orange', not_selected: 'gray', withdrawn: 'gray', submitted: 'gray' };
const rate = (x: number | null) => (x === null ? '—' : percent(x, 0).replace('+', ''));

function Profile() {
  const { t, i18n } = useTranslation();
  const id = Number(useParams().id);
  const hacker = useQuery(getQuery('/v1/hackers/{id}', { path: { id } }));
  const record = useQuery({ ...getQuery('/v1/hackers/{id}/track-record', { path: { id } }), enabled: hacker.isSuccess });
  const proposals = useQuery({ ...getQuery('/v1/hackers/{id}/proposals', { path: { id } }), enabled: hacker.isSuccess });
  if (hacker.error) return <ErrorAlert error={hacker.error} resource />;
  if (!hacker.data) return null;
  const h = hacker.data;
  const r = record.data;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{h.display_name}</Title>
        <Badge variant="light" size="lg" color={GRADE_COLOR[h.grade] ?? 'gray'} data-testid="grade">
          {t(`profile.grade.${h.grade}`)}
        </Badge>
      </Group>
      <ErrorAlert error={record.error ?? proposals.error} />
      {r && (
        <>
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            {(
              [
                ['proposals', String(r.overall.proposals)],
                ['adopted', String(r.overall.adopted)],
                ['won', t('profile.wonOf', { won: r.overall.tests_won, decided: r.overall.tests_won + r.overall.tests_lost + r.overall.tests_inconclusive })],
                ['winRate', rate(r.overall.win_rate)],
              ] as const
            ).map(([k, v]) => (
              <Card withBorder padding="sm" key={k}>
                <Text size="xs" c="dimmed">{t(`profile.stat.${k}`)}</Text>
                <Text fw={700} data-testid={`profile-${k}`}>{v}</Text>
              </Card>
            ))}
          </SimpleGrid>
          <Card withBorder>
            <Title order={2} size="h3">{t('profile.gradeHistory')}</Title>
            {r.grade_history.length === 0 ? (
              <Text size="sm">{t('profile.noGrades')}</Text>
            ) : (
              <Group gap="xs" mt="xs">
                {r.grade_history.map((g) => (
                  <Badge key={g.month} variant="light" color={GRADE_COLOR[g.grade] ?? 'gray'} data-testid="grade-month">
                    {g.month} · {t(`profile.grade.${g.grade}`)}
                  </Badge>
                ))}
              </Group>
            )}
          </Card>
          <Card withBorder>
            <Title order={2} size="h3">{t('profile.byIndustry')}</Title>
            {r.by_industry.length === 0 ? (
              <Text size="sm">{t('profile.noRecord')}</Text>
            ) : (
              <Table.ScrollContainer minWidth={480} type="native" tabIndex={0}>
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('profile.industry')}</Table.Th>
                      <Table.Th ta="right">{t('profile.stat.proposals')}</Table.Th>
                      <Table.Th ta="right">{t('profile.stat.adopted')}</Table.Th>
                      <Table.Th ta="right">{t('profile.wins')}</Table.Th>
                      <Table.Th ta="right">{t('profile.stat.winRate')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {r.by_industry.map((x) => (
                      <Table.Tr key={x.industry} data-testid="industry-row">
                        <Table.Td>{x.industry}</Table.Td>
                        <Table.Td ta="right">{x.proposals}</Table.Td>
                        <Table.Td ta="right">{x.adopted}</Table.Td>
                        <Table.Td ta="right">{x.tests_won}</Table.Td>
                        <Table.Td ta="right">{rate(x.win_rate)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Card>
        </>
      )}
      <Card withBorder>
        <Title order={2} size="h3">{t('profile.proposals')}</Title>
        {proposals.data?.items.length === 0 && <Text size="sm">{t('profile.noProposals')}</Text>}
        <Stack gap="xs" mt="xs">
          {proposals.data?.items.map((p) => (
            <Card withBorder padding="sm" key={p.id} data-testid="my-proposal-row">
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Stack gap={2}>
                  <Text fw={600}>{p.title}</Text>
                  <Text size="sm">
                    <Anchor component={Link} to={`/offers/${p.offer_id}`}>{p.hypothesis}</Anchor>
                  </Text>
                  <Text size="xs" c="dimmed">{t('profile.proposalMeta', { client: p.client_name, month: p.month, at: dateTime(p.submitted_at, i18n.language) })}</Text>
                  {p.review_comment && <Text size="sm">{t('profile.returnedWhy', { comment: p.review_comment })}</Text>}
                </Stack>
                <Badge variant="light" color={FATE_COLOR[p.fate] ?? 'gray'} style={{ flexShrink: 0 }} data-testid="fate">{t(`fate.${p.fate}`)}</Badge>
              </Group>
            </Card>
          ))}
        </Stack>
      </Card>
    </Stack>
  );
}

export const page: PageDef = { path: '/hackers/:id', can: 'view_hacker_profiles' };
export default Profile;
