// What every page shows when its data is late or failed, light enough for the shell's own bundle:
// the error alert with Retry (pages import it through ui.tsx), the page-area loader, and the boundary
// for a page whose code failed to load.
import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { useIsFetching, useQueryClient } from '@tanstack/react-query';
import { Component, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { errorText } from './messages.ts';

/** A failure worth trying again: the network, or the server's own (5xx); not a refusal (4xx). */
function retryable(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status >= 500;
}

/**
 * Every page's error path (one component): an API error as an alert in the reader's language. A failure
 * worth trying again (network, 5xx) says so in words instead of "Failed to fetch" / "Internal Server
 * Error" and offers Retry: `retry` if given, else refetching the queries that failed (a page's load).
 * `resource`: loading a page's record, where another tenant's is "not found".
 */
export function ErrorAlert({ error, resource, retry }: { error: unknown; resource?: boolean; retry?: () => unknown }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  if (resource && (e?.status === 404 || e?.status === 403)) {
    return (
      <Alert color="gray" title={t('common.notFound')} role="alert" data-testid="not-found">
        {t('common.notFoundBody')}
      </Alert>
    );
  }
  const failed = () => qc.getQueryCache().findAll({ type: 'active', predicate: (q) => q.state.status === 'error' });
  const again = retry ?? (failed().length > 0 ? () => Promise.all(failed().map((q) => q.fetch().catch(() => undefined))) : undefined);
  if (retryable(error)) {
    return (
      <Alert color="red" title={t('common.error')} role="alert" data-testid="error-retry">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{e ? t('common.serverError') : t('common.networkError')}</Text>
          {again && (
            <Button
              size="xs"
              variant="default"
              loading={busy}
              onClick={async () => {
                setBusy(true);
                try {
                  await again();
                } finally {
                  setBusy(false);
                }
              }}
            >
              {t('common.retry')}
            </Button>
          )}
        </Stack>
      </Alert>
    );
  }
  const title = e?.status === 404 ? t('common.notFound') : e?.status === 403 ? t('common.forbidden') : t('common.error');
  return (
    <Alert color="red" title={title} role="alert">
      {errorText(error, t)}
    </Alert>
  );
}

/** In the page area while a page's first data is on its way (a slow API shows a loader, not a blank page). */
export function PageLoader({ always }: { always?: boolean }) {
  const { t } = useTranslation();
  const loading = useIsFetching({ predicate: (q) => q.state.data === undefined && q.queryKey[0] !== SESSION_ROOT });
  if (!loading && !always) return null;
  return (
    <Center py="md" data-testid="page-loader">
      <Loader size="sm" aria-label={t('common.loading')} />
    </Center>
  );
}
const SESSION_ROOT = '/v1/session';

/** A page's code that failed to load (a new deployment, the network): say so and offer to reload. */
export class PageErrorBoundary extends Component<{ children: ReactNode; fallback: (retry: () => void) => ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    return this.state.failed ? this.props.fallback(() => window.location.reload()) : this.props.children;
  }
}

