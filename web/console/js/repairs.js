// 信用修复: the credit-repair queue and one application (rights.js does the work).
import { renderRights } from './rights.js';

export function render(root, ctx) {
  return renderRights(root, ctx, 'repair');
}
