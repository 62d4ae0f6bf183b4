// My tasks: what waits for me now, with deadlines and overdue marks; each links to where to act.
import { Anchor, Badge, Card, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { getQuery, type Body } from '../api/client.ts';
import { useMessage } from '../app/messages.ts';
import type { PageDef } from '../app/pages.ts';
import { useSession, type Session } from '../app/session.tsx';
import { dateTime } from '../app/format.ts';
import { ErrorAlert } from '../app/ui.tsx';

type Task = Body<'/v1/tasks', 'get'>['items'][number];

function target(t: Task, can: Session['can']): string | null {
  // A payee's failed transfer: their own statements (the payout run is finance's page).
  if (t.kind === 'fix_bank_details') return '/statements';
  if (t.run_id) return `/payout-runs/${t.run_id}`;
  // Invoices and receipts: finance's (and the client's own invoice) pages; a CS manager has none.
  if (t.invoice_id && can.view_invoices) return `/invoices/${t.invoice_id}`;
  if (t.kind === 'match_receipt' && can.view_receipts) return '/receipts';
  if (t.offer_id && (t.kind === 'submit_proposal' || !t.cycle_id)) return `/offers/${t.offer_id}`;
  if (t.cycle_id) return `/cycles/${t.cycle_id}`;
  if (t.engagement_id) return `/engagements/${t.engagement_id}`;
  return null;
}

function Tasks() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const m = useMessage();
  // Kinds come from the API; one this version does not know yet is shown as the API names it.
  const kindLabel = (kind: string) => (i18n.exists(`tasks.kind.${kind}`) ? t(`tasks.kind.${kind}`) : kind.replace(/_/g, ' '));
  const q = useQuery({ ...getQuery('/v1/tasks', {}), refetchInterval: 5_000 });
  return (
    <Stack>
      <Title order={1}>{t('tasks.title')}</Title>
      <ErrorAlert error={q.error} />
      {q.isPending && <Loader aria-label="loading" />}
      {q.data && q.data.items.length === 0 && <Text>{t('tasks.none')}</Text>}
      {q.data?.items.map((task, i) => {
        const to = target(task, session.can);
        const due = task.due_at ? dateTime(task.due_at, i18n.language) : task.due_on ?? null;
        return (
          <Card withBorder key={i} data-testid="task">
            <Group justify="space-between">
              <Stack gap={2}>
                {to ? (
                  <Anchor component={Link} to={to} fw={600}>
                    {kindLabel(task.kind)}
                  </Anchor>
                ) : (
                  <Text fw={600}>{kindLabel(task.kind)}</Text>
                )}
                <Text size="sm" c="dimmed">
                  {[task.month, task.client_name ?? null, task.engagement_id ? t('tasks.engagement', { id: task.engagement_id }) : null, task.run_id ? t('tasks.run', { id: task.run_id }) : null, task.invoice_id ? t('tasks.invoice', { id: task.invoice_id }) : null]
                    .filter(Boolean)
                    .join(' · ')}
                </Text>
                {task.waiting_for_code && task.waiting_for_code !== 'payout.nothing' && <Text size="sm">{t('engagements.waitingFor', { who: m.waitingFor(task) })}</Text>}
                {task.approve_refusal_code && (
                  <Text size="sm" data-testid="approve-refusal">
                    {task.approve_refusal_code === 'four_eyes_self' ? t('msg.task.fourEyesSelf', { run: task.run_id ?? '' }) : t('msg.task.role')}
                  </Text>
                )}
              </Stack>
              <Group>
                {due && <Text size="sm">{t('tasks.due', { when: due })}</Text>}
                {task.overdue && <Badge color="red">{t('tasks.overdue')}</Badge>}
              </Group>
            </Group>
          </Card>
        );
      })}
    </Stack>
  );
}

export const page: PageDef = {
  path: '/',
  can: 'view_tasks',
  nav: { label: 'nav.tasks', order: 0 },
};
export default Tasks;
