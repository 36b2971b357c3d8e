// A pager: previous / next buttons and "第 N 页 / 共 M 页". Knows the page count when the API
// gives a total; otherwise (total null) relies on has_more / more for the next button.
import { el } from './api.js';

/**
 * @param {{page:number, pageSize:number, total:(number|null|undefined), hasMore:(boolean|undefined),
 *          totalExact:(boolean|undefined), onPage:(p:number)=>void, label:string, testid:string}} o
 */
export function pager({ page, pageSize, total = null, hasMore, totalExact = true, onPage, label = '分页',
                        testid = 'pager' }) {
  const known = typeof total === 'number';
  const pages = known ? Math.max(1, Math.ceil(total / pageSize)) : null;
  const more = known ? (totalExact ? page < pages : (page < pages || hasMore !== false)) : !!hasMore;
  let info;
  if (known) {
    info = `第 ${page} 页，共 ${pages}${totalExact ? '' : '+'} 页（${total}${totalExact ? '' : '+'} 条）`;
  } else {
    info = `第 ${page} 页`;
  }
  const prev = el('button', { type: 'button', class: 'secondary', 'data-testid': testid + '-prev',
                              disabled: page <= 1, onclick: () => onPage(page - 1) }, '上一页');
  const next = el('button', { type: 'button', class: 'secondary', 'data-testid': testid + '-next',
                              disabled: !more, onclick: () => onPage(page + 1) }, '下一页');
  const parts = [prev, el('span', { class: 'info', 'data-testid': testid + '-info' }, info), next];
  if (known && pages > 2) {
    const first = el('button', { type: 'button', class: 'secondary', disabled: page <= 1,
                                 onclick: () => onPage(1) }, '第一页');
    const last = el('button', { type: 'button', class: 'secondary', disabled: page >= pages || !totalExact,
                                onclick: () => onPage(pages) }, '最后一页');
    parts.unshift(first);
    parts.push(last);
  }
  return el('nav', { class: 'pager', 'aria-label': label, 'data-testid': testid }, parts);
}
