// One proposal as the gallery shows it (issue 23): its title, the hacker's explanation, PC and phone
// renders beside the current page with their checks, CS's review (pass / return with a comment, as
// actions.review allows), the preview link and the change set. `children`: the page's own controls
// (the selection checkbox).
import { Alert, Anchor, Badge, Button, Card, Collapse, Group, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, must, type Body } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime } from './format.ts';
import { PreviewLink } from './preview-link.tsx';
import { ProposalChanges } from './proposal-changes.tsx';
import { ProposalRenders } from './renders.tsx';
import { ConfirmButton, ErrorAlert, StatusBadge } from './ui.tsx';

/** A listed proposal: its current version's renders and CS's review come with it. */
export type GalleryProposal = Body<'/v1/offers/{id}/proposals', 'get'>['items'][number];
const REVIEW_COLORS: Record<string, string> = { pending: 'blue', passed: 'green', returned: 'orange' };

/** CS's pass / return buttons, each shown only when the proposal's actions (the routes' own predicates) allow it. */
function ReviewActions({ proposal }: { proposal: GalleryProposal }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [comment, setComment] = useState('');
  const review = useMutation({
    mutationFn: (decision: 'pass' | 'return') =>
      must(api.POST('/v1/proposals/{id}/review', { params: { path: { id: proposal.id } }, body: { decision, ...(decision === 'return' ? { comment } : {}) } })),
    onSuccess: () => {
      setComment('');
      return Promise.all([
        qc.invalidateQueries({ queryKey: queryKey('/v1/offers/{id}/proposals', { path: { id: proposal.offer_id } }) }),
        qc.invalidateQueries({ queryKey: queryKey('/v1/proposals/{id}', { path: { id: proposal.id } }) }),
      ]);
    },
  });
  // The list carries each proposal's review actions: no request per card.
  const actions = proposal.actions;
  if (!actions.review.allowed && !actions.return.allowed) return null;
  return (
    <Group gap="xs" data-testid="review-actions">
      {actions.review.allowed && (
        <ConfirmButton size="xs" label={t('review.pass')} title={t('review.pass')} body={t('review.passBody', { title: proposal.title })} onConfirm={() => review.mutateAsync('pass').catch(() => undefined)} />
      )}
      {actions.return.allowed && (
        <ConfirmButton
          size="xs"
          variant="light"
          color="orange"
          label={t('review.return')}
          title={t('review.return')}
          body={t('review.returnBody', { title: proposal.title })}
          confirmDisabled={!comment.trim()}
          extra={<Textarea label={t('review.comment')} value={comment} onChange={(e) => setComment(e.currentTarget.value)} autosize minRows={3} />}
          onConfirm={() => review.mutateAsync('return').catch(() => undefined)}
        />
      )}
      <ErrorAlert error={review.error} />
    </Group>
  );
}

export function ProposalCard({ proposal: p, children, showChanges = true }: { proposal: GalleryProposal; children?: ReactNode; showChanges?: boolean }) {
  const { t, i18n } = useTranslation();
  const [preview, setPreview] = useState(false);
  const review = p.review;
  return (
    <Card withBorder padding="sm" data-testid="proposal-card" data-proposal={p.id}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text fw={600} component="h3" m={0} size="md">{p.title}</Text>
          <Group gap={4}>
            <Badge variant="light" color="gray">{t('changes.versionNo', { n: p.version })}</Badge>
            {review && (
              <Badge variant="light" color={REVIEW_COLORS[review.status] ?? 'gray'} data-testid="review-status">
                {t(`review.status.${review.status}`, { defaultValue: t('review.status.pending') })}
              </Badge>
            )}
            <StatusBadge value={p.status} />
          </Group>
        </Group>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="explanation">{p.description}</Text>
        {review?.status === 'returned' && review.comment && (
          <Alert color="orange" p="xs" title={t('review.returnedTitle')} data-testid="return-comment">
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{review.comment}</Text>
            {review.reviewed_at ? <Text size="xs" c="dimmed">{dateTime(review.reviewed_at as string, i18n.language)}</Text> : null}
          </Alert>
        )}
        <ProposalRenders renders={p.renders} version={p.version} title={p.title} />
        <ReviewActions proposal={p} />
        {children}
        {showChanges && <ProposalChanges proposal={p} />}
        <Group gap="xs">
          <Anchor href={p.design_url} target="_blank" rel="noreferrer" size="sm">{t('cycle.design')}</Anchor>
          <Button size="compact-sm" variant="subtle" onClick={() => setPreview((m) => !m)} aria-expanded={preview}>
            {t('preview.title')}
          </Button>
        </Group>
        <Collapse expanded={preview}>{preview && <PreviewLink proposalId={p.id} version={p.version} />}</Collapse>
      </Stack>
    </Card>
  );
}
