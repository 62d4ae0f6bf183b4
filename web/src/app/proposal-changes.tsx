// A proposal's current change set for CS and the client (read-only), with the custom-JS approval of its
// version: the server names who may approve (the proposal's actions) and which text (the version's hash).
import { Alert, Badge, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, getQuery, must } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { ChangeSetView } from './changes.tsx';
import { dateTime } from './format.ts';
import { ConfirmButton, ErrorAlert } from './ui.tsx';

export function ProposalChanges({ proposalId }: { proposalId: number }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery(getQuery('/v1/proposals/{id}', { path: { id: proposalId } }));
  const current = q.data?.versions.find((v) => v.version === q.data?.version);
  const approve = useMutation({
    mutationFn: () =>
      must(api.POST('/v1/proposals/{id}/versions/{version}/js-approval', { params: { path: { id: proposalId, version: current!.version } }, body: { js_sha256: current!.js_hash! } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKey('/v1/proposals/{id}', { path: { id: proposalId } }) }),
  });
  if (q.error) return <ErrorAlert error={q.error} />;
  if (!q.data) return null;
  const p = q.data;
  return (
    <Stack gap="xs" data-testid="proposal-changes">
      <Group gap="xs">
        <Badge variant="light" color="gray">{t('changes.versionNo', { n: p.version })}</Badge>
      </Group>
      <ChangeSetView changes={p.changes} />
      {current?.js_hash && !current.js_approved_at && (
        <Alert color="yellow" p="xs">
          <Stack gap="xs">
            <Text size="sm">{t('changes.jsPending', { n: current.version })}</Text>
            {p.actions.approve_js.allowed && (
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
