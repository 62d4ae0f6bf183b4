// The user behind a human decision, as workflows and use cases record it, and the roles a user has.
// Dependency-free: the database types, the API and workflow code import it.

/** Every role a user may have (users.role). */
export const ROLES = ['admin', 'cs_manager', 'finance', 'client', 'hacker', 'partner'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  userId: number;
  role: Role;
}
