import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import './app/theme.css';
import { MantineProvider, createTheme } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import './i18n/index.ts';
import { App } from './app/App.tsx';

// Shade 8 for colours: white on filled and coloured text on light variants both pass WCAG AA.
const theme = createTheme({ primaryColor: 'indigo', primaryShade: 8, autoContrast: true, defaultRadius: 'sm', fontFamily: 'system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif' });
const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: (n, err) => n < 1 && !(err as { status?: number }).status, refetchOnWindowFocus: true, staleTime: 2_000 } },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
