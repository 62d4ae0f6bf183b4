// A proposal's current change set for CS and the client (read-only), from the offer's proposal list,
// with the custom-JS approval of its version: only a change set with custom JS asks for the proposal
// itself, whose actions name who may approve and whose versions name which text (the hash).
import { Alert, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, getQuery, must, type Body } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { ChangeSetView } from './changes.tsx';
import { dateTime } from './format.ts';
import { ConfirmButton, ErrorAlert } from './ui.tsx';

type Listed = Body<'/v1/offers/{id}/proposals', 'get'>['items'][number];

export function ProposalChanges({ proposal }: { proposal: Pick<Listed, 'id' | 'version' | 'changes'> }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const proposalId = proposal.id;
  const q = useQuery({ ...getQuery('/v1/proposals/{id}', { path: { id: proposalId } }), enabled: Boolean(proposal.changes?.js) });
  const current = q.data?.versions.find((v) => v.version === q.data?.version);
  const approve = useMutation({
    mutationFn: () =>
      must(api.POST('/v1/proposals/{id}/versions/{version}/js-approval', { params: { path: { id: proposalId, version: current!.version } }, body: { js_sha256: current!.js_hash! } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKey('/v1/proposals/{id}', { path: { id: proposalId } }) }),
  });
  const p = q.data;
  return (
    <Stack gap="xs" data-testid="proposal-changes">
      <ChangeSetView changes={proposal.changes} />
      <ErrorAlert error={q.error} />
      {current?.js_hash && !current.js_approved_at && (
        <Alert color="yellow" p="xs">
          <Stack gap="xs">
            <Text size="sm">{t('changes.jsPending', { n: current.version })}</Text>
            {p?.actions.approve_js.allowed && (
              <ConfirmButton
                size="xs"
                label={t('changes.approveJs')}
                title={t('changes.approveJs')}
                body={t('changes.approveJsBody', { n: current.version, hash: current.js_hash.slice(0, 12) })}
                onConfirm={() => approve.mutateAsync().catch(() => undefined)}
              />
            )}
            <ErrorAlert error={approve.error} />
          </Stack>
        </Alert>
      )}
      {current?.js_hash && current.js_approved_at && (
        <Text size="xs" c="dimmed" data-testid="js-approved">
          {t('changes.jsApproved', { n: current.version, who: `#${current.js_approved_by}`, when: dateTime(current.js_approved_at as string, i18n.language) })}
        </Text>
      )}
    </Stack>
  );
}
