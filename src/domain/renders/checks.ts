// The automatic checks of a render (issue 23 item 2): pure rules over what src/renders/render.ts
// measured in the browser. Details are codes and numbers, never prose: the web renders them in the
// reader's language.

export type RenderCheckName = 'page_errors' | 'console_errors' | 'unmatched_selectors' | 'overflow' | 'visible_change';

export interface RenderCheck {
  name: RenderCheckName;
  ok: boolean;
  details: string[];
}
