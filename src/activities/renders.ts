// Activities of the render workflow (src/workflows/render.ts): renderVersion runs on the render
// worker's own task queue with its one renderer (heartbeating while Chromium works); failRenders on
// the main queue. Both thin over src/renders/versions.ts.
import type { Db } from '../db/index.ts';
import { renderVersion, type RenderDeps } from '../renders/run.ts';
import { failRenders } from '../renders/versions.ts';
import { ruled, withLiveness } from './ruled.ts';

export function renderActivities(deps: RenderDeps) {
  return {
    // Not `ruled`: a RenderFailure is retried (a page down for a moment), then recorded by the workflow.
    renderVersion: (i: { versionId: number }) => withLiveness(() => renderVersion(deps, i)),
  };
}

export function renderRecordActivities(db: Db) {
  return {
    failRenders: (i: { versionId: number; reason: string }) => ruled(() => failRenders(db, i)),
  };
}
