// 异议处理: the objection queue and one objection (rights.js does the work).
import { renderRights } from './rights.js';

export function render(root, ctx) {
  return renderRights(root, ctx, 'objection');
}
