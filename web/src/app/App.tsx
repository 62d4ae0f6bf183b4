import { AppShell, Burger, Button, Center, Group, Loader, NavLink, PasswordInput, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useLocation } from 'react-router';
import { ErrorAlert } from './ui.tsx';
import { PAGES } from './pages.ts';
import { SESSION_KEY, SessionProvider, signIn, signOut, useSessionQuery, type Session } from './session.tsx';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('shell.language')}
      value={i18n.language}
      onChange={(v) => void i18n.changeLanguage(v)}
      data={[
        { value: 'ja', label: '日本語' },
        { value: 'en', label: 'English' },
      ]}
    />
  );
}

function SignIn() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Center mih="100vh" component="main">
      <Paper withBorder p="xl" w={420}>
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError(null);
            try {
              const s = await signIn(token.trim());
              setToken('');
              qc.setQueryData(SESSION_KEY, s);
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          <Stack>
            <Group justify="space-between">
              <Title order={1} size="h2">
                Kaizen Desk
              </Title>
              <LanguageSwitch />
            </Group>
            <Text size="sm">{t('signin.intro')}</Text>
            <PasswordInput label={t('signin.token')} value={token} onChange={(e) => setToken(e.currentTarget.value)} autoComplete="off" required />
            <ErrorAlert error={error} />
            <Button type="submit" loading={busy}>
              {t('signin.submit')}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

function Shell({ session }: { session: Session }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const loc = useLocation();
  const [opened, { toggle }] = useDisclosure();
  const mine = PAGES.filter((p) => session.can[p.can]);
  const nav = mine.filter((p) => p.nav).sort((a, b) => a.nav!.order - b.nav!.order);
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('shell.menu')} />
            <Text fw={700} component={Link} to="/">
              Kaizen Desk
            </Text>
          </Group>
          <Group>
            <LanguageSwitch />
            <Text size="sm" data-testid="whoami">
              {session.user.name} · {t(`roles.${session.user.role}`)}
            </Text>
            <Button
              size="xs"
              variant="default"
              onClick={async () => {
                await signOut();
                qc.clear();
                qc.setQueryData(SESSION_KEY, null);
              }}
            >
              {t('shell.signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t('shell.navigation')}>
        {nav.map((p) => (
          <NavLink
            key={p.path}
            component={Link}
            to={p.path}
            label={t(p.nav!.label)}
            active={p.path === '/' ? loc.pathname === '/' : loc.pathname.startsWith(p.path)}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main component="main">
        <Routes>
          {mine.map((p) => (
            <Route key={p.path} path={p.path} element={<p.Component />} />
          ))}
          <Route path="*" element={<ErrorAlert error={new Error(t('common.noPage'))} />} />
        </Routes>
      </AppShell.Main>
    </AppShell>
  );
}

export function App() {
  const q = useSessionQuery();
  if (q.isPending)
    return (
      <Center mih="100vh">
        <Loader aria-label="loading" />
      </Center>
    );
  if (!q.data) return <SignIn />;
  return (
    <SessionProvider value={q.data}>
      <Shell session={q.data} />
    </SessionProvider>
  );
}
