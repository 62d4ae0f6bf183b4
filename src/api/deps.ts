import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';

/** What the API is built from; its own module so route files need not import app.ts (which imports them). */
export interface ApiDeps {
  db: Db;
  temporal: Client;
  config: Config;
  log: Logger;
  /** The built web back office (default web/dist); served at `/`. */
  webRoot?: string;
}
