// The user behind a human decision, as workflows and use cases record it. Dependency-free.
import type { Role } from '../db/schema.ts';

export interface Actor {
  userId: number;
  role: Role;
}
