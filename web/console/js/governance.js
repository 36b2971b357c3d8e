// The data-governance report (GET /api/v1/governance) shared by the 数据质量 and 及时性 sections:
// the filter form (department for the operator, receipt period), one cached report per filter
// (the report is computed at the call, so switching between the two sections does not ask
// twice), and the authorized download of governance.xlsx.

import { api, downloadBlob, el, errorText } from '/js/api.js';
import { errorNotice, field, isForbidden } from './ui.js';

const cache = new Map();  // "token|dept|from|to" -> Promise of the report

/** The filter of the current hash: {dept, from, to} (empty strings when absent). */
export function governanceFilter(ctx) {
  const date = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || '') ? v : '');
  return { dept: ctx.query.get('dept') || '', from: date(ctx.query.get('from')), to: date(ctx.query.get('to')) };
}

/** The report for the filter; a failed call is not cached. */
export function loadGovernance(ctx, filter) {
  const key = [ctx.token, filter.dept, filter.from, filter.to].join('|');
  if (!cache.has(key)) {
    const p = api('/governance', { token: ctx.token, query: filter });
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return cache.get(key);
}

/** Forgets cached reports (the 刷新 button). */
export function clearGovernance() {
  cache.clear();
}

/**
 * The filter form and the xlsx download for a section ('quality' or 'timeliness'). depts: the
 * departments seen in the report, offered as suggestions to the operator.
 */
export function governanceControls(ctx, filter, depts) {
  const operator = ctx.role === 'operator';
  const deptInput = el('input', { type: 'text', name: 'dept', list: 'gov-dept-list', maxlength: '64',
                                  placeholder: '全部部门', value: filter.dept });
  const form = el('form', { className: 'filters', id: 'governance-filters', 'data-testid': 'governance-filters',
                            'aria-label': '统计范围' },
    operator ? field('gov-dept', '部门', deptInput) : null,
    operator ? el('datalist', { id: 'gov-dept-list' }, depts.filter((d) => d).map((d) => el('option', { value: d }))) : null,
    field('gov-from', '接收日期自', el('input', { type: 'date', name: 'from', value: filter.from })),
    field('gov-to', '至', el('input', { type: 'date', name: 'to', value: filter.to })),
    el('button', { type: 'submit' }, '统计'),
    el('button', { type: 'button', id: 'governance-refresh',
                   onclick: () => { clearGovernance(); ctx.refresh(); } },
       '刷新'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const fd = new FormData(form);
    const q = new URLSearchParams();
    for (const k of ['dept', 'from', 'to']) {
      const v = (fd.get(k) || '').trim();
      if (v) q.set(k, v);
    }
    const s = q.toString();
    ctx.navigate('#' + ctx.section + (s ? '?' + s : ''));
  });

  const query = new URLSearchParams();
  for (const k of ['dept', 'from', 'to']) if (filter[k]) query.set(k, filter[k]);
  const href = '/api/v1/governance.xlsx' + (query.toString() ? '?' + query.toString() : '');
  const status = el('span', { className: 'server-message', role: 'status', 'aria-live': 'polite',
                              id: 'governance-xlsx-status' });
  // The file needs the bearer token, which a plain link cannot send: fetch it and save the blob.
  const link = el('a', { href, id: 'governance-xlsx', 'data-testid': 'governance-xlsx',
                         download: 'governance.xlsx' }, '下载 Excel 报表（governance.xlsx）');
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    status.textContent = '正在生成…';
    try {
      const { blob, headers } = await api(href, { token: ctx.token, accept: 'blob' });
      const cd = headers.get('Content-Disposition') || '';
      const m = /filename="?([^";]+)"?/.exec(cd);
      downloadBlob(blob, m ? m[1] : 'governance.xlsx');
      status.textContent = '已开始下载';
    } catch (e) {
      status.textContent = '下载失败：' + errorText(e);
    }
  });
  return [form, el('p', { className: 'actions' }, link, ' ', status)];
}

/** A one-line description of the report's scope. */
export function scopeLine(report) {
  return '统计范围：' + (report.dept ? report.dept : '全部部门') + '，接收日期 ' +
    (report.from || '最早') + ' 至 ' + report.to + '。';
}

/**
 * The report for a governance section (`what` names it in an error), or null after showing in
 * `root` why it could not be loaded (a 403 also hides the section).
 */
export async function governanceReport(root, ctx, filter, what) {
  try {
    return await loadGovernance(ctx, filter);
  } catch (e) {
    if (isForbidden(e)) ctx.forbidden();
    root.append(...governanceControls(ctx, filter, []), errorNotice(e, what));
    return null;
  }
}
