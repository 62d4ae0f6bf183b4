// Who is signed in. The browser holds only the httpOnly session cookie; this reads GET /v1/session.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { api, must, type Body } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';

export type Session = Body<'/v1/session', 'get'>;

const Ctx = createContext<Session | null>(null);
/** The signed-in session's query (null: signed out); sign-in and sign-out set it. */
export const SESSION_KEY = queryKey('/v1/session');

export function useSession(): Session {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}


// Whether this browser was signed in when last seen (a flag, never a secret; the cookie is httpOnly):
// only then does the app start loading the opened page's code beside the session request — the
// sign-in page of a signed-out visitor loads no page's code.
const HINT = 'kaizen.signedIn';
const hint = (on: boolean) => (on ? localStorage.setItem(HINT, '1') : localStorage.removeItem(HINT));
export const likelySignedIn = () => localStorage.getItem(HINT) === '1';

/** Set when a signed-in session met a 401 (it expired or was revoked): the sign-in page says so. */
export const SESSION_EXPIRED_KEY = ['session-expired'] as const;

export function useSessionQuery() {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: SESSION_KEY,
    queryFn: async () => {
      const { data, response } = await api.GET('/v1/session');
      if (response.status === 401) {
        if (qc.getQueryData(SESSION_KEY)) qc.setQueryData(SESSION_EXPIRED_KEY, true);
        hint(false);
        return null;
      }
      if (!response.ok || !data) throw new Error(`session: ${response.status}`);
      hint(true);
      return data;
    },
    staleTime: 60_000,
  });
  useEffect(() => {
    const on = () => {
      if (!qc.getQueryData(SESSION_KEY)) return;
      hint(false);
      qc.setQueryData(SESSION_EXPIRED_KEY, true);
      qc.setQueryData(SESSION_KEY, null);
      // Nothing of the ended session's data stays for whoever signs in next.
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] && q.queryKey[0] !== SESSION_EXPIRED_KEY[0] });
    };
    window.addEventListener('kaizen:unauthorized', on);
    return () => window.removeEventListener('kaizen:unauthorized', on);
  }, [qc]);
  return q;
}

export async function signIn(token: string): Promise<Session> {
  const s = await must(api.POST('/v1/session', { headers: { authorization: `Bearer ${token}` } }));
  hint(true);
  return s;
}

export async function signOut(): Promise<void> {
  hint(false);
  await api.DELETE('/v1/session');
}

export function SessionProvider({ value, children }: { value: Session; children: ReactNode }) {
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
