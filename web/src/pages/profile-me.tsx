// "My profile" in the navigation: the signed-in hacker's own profile page.
import { Navigate } from 'react-router';
import type { PageDef } from '../app/pages.ts';
import { useSession } from '../app/session.tsx';

function MyProfile() {
  return <Navigate replace to={`/hackers/${useSession().user.hacker_id}`} />;
}

export const page: PageDef = { path: '/profile', can: 'view_own_profile', nav: { label: 'nav.profile', order: 25 } };
export default MyProfile;
