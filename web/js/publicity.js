// publicity.html?kind=licence|penalty&from=&to=&dept=&after=&n=: the 双公示 listing
// (GET /api/v1/publicity), newest decision first. The API says has_more (no total) and gives a
// `next` cursor: the next page passes it as `after` (the API bounds the work of one call, so a
// cursor, not a deeper `page`, is how to go on); `n` is only the page number shown.
import { api, codeLabel, el, errorText, qs, setChildren } from './api.js';

const PAGE_SIZE = 20;
const KINDS = {
  licence: { label: '行政许可', title: '许可决定文书名称', content: '许可内容', authority: '许可机关', number: '决定文书号' },
  penalty: { label: '行政处罚', title: '违法行为类型', content: '处罚内容', authority: '处罚机关', number: '处罚决定书文号' },
};
const form = document.getElementById('filters');
const statusEl = document.getElementById('status');
const list = document.getElementById('items');
const pagerBox = document.getElementById('pager');
const deptInput = document.getElementById('dept');

function state() {
  const kind = KINDS[qs('kind')] ? qs('kind') : 'licence';
  const n = Number.parseInt(qs('n') || '1', 10);
  return { kind, from: qs('from') || '', to: qs('to') || '', dept: qs('dept') || '', after: qs('after') || '',
           n: Number.isFinite(n) && n >= 1 ? n : 1 };
}

function urlOf(s) {
  const p = new URLSearchParams();
  p.set('kind', s.kind);
  if (s.from) p.set('from', s.from);
  if (s.to) p.set('to', s.to);
  if (s.dept) p.set('dept', s.dept);
  if (s.after) {
    p.set('after', s.after);
    p.set('n', String(s.n));
  }
  return '?' + p.toString();
}

// The catalog's source departments as suggestions; any authority's full name may be typed (the
// decisions of county bureaus name those bureaus, which the catalog does not list).
function fillDepartments(depts, chosen) {
  setChildren(document.getElementById('dept-options'), (depts || []).map((d) => el('option', { value: d })));
  deptInput.value = chosen;
}

function item(it, k) {
  const s = it.subject || {};
  const name = s.code
    ? el('a', { class: 'name', href: '/subject.html?code=' + encodeURIComponent(s.code), 'data-testid': 'publicity-subject-link' }, s.name)
    : el('span', { class: 'name' }, s.name || '—');
  const dl = el('dl', { class: 'fields' });
  const add = (label, v) => { if (v) dl.append(el('dt', null, label), el('dd', null, v)); };
  add(k.number, it.document_number);
  add('决定日期', it.decision_date);
  add(k.authority, it.authority);
  add(k.title, it.title);
  add(k.content, it.content);
  add(codeLabel(s.code), s.code);
  return el('li', { 'data-testid': 'publicity-item' }, name,
    it.under_objection ? el('span', { class: 'badge warn' }, '异议处理中') : null, dl);
}

let seq = 0;
async function run() {
  const s = state();
  const k = KINDS[s.kind];
  document.getElementById('kind').value = s.kind;
  document.getElementById('from').value = s.from;
  document.getElementById('to').value = s.to;
  for (const key of Object.keys(KINDS)) {
    const a = document.getElementById('kind-' + key);
    if (key === s.kind) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `双公示 · ${k.label} — 信用郑州`;
  if (!document.getElementById('dept-options').options.length) fillDepartments([], s.dept);
  list.replaceChildren();
  pagerBox.replaceChildren();
  statusEl.textContent = '正在加载…';
  list.setAttribute('aria-busy', 'true');  // until this listing's answer (or error) is shown
  const mine = ++seq;
  try {
    const data = await api('/publicity', { query: { kind: s.kind, from: s.from, to: s.to, dept: s.dept,
                                                    after: s.after, page_size: PAGE_SIZE } });
    if (mine !== seq) return;
    fillDepartments(data.departments, s.dept);
    let text = data.items.length ? `${k.label}决定公示，第 ${s.n} 页，本页 ${data.items.length} 条。`
      : (data.has_more ? '本次查询范围内暂无符合条件的公示信息。' : '没有符合条件的公示信息。');
    if (data.has_more && data.items.length < data.page_size) text += '单次查询已达上限，请点击“下一页”继续查找。';
    statusEl.textContent = text;
    setChildren(list, data.items.map((it) => item(it, k)));
    if (data.has_more || s.n > 1) pagerBox.append(cursorPager(s, data));
  } catch (err) {
    if (mine !== seq) return;
    statusEl.textContent = '公示信息加载失败：' + errorText(err);
  } finally {
    if (mine === seq) list.removeAttribute('aria-busy');
  }
}

function cursorPager(s, data) {
  const move = (next) => {
    history.pushState({ publicityPrev: true }, '', urlOf(next));
    run();
    statusEl.scrollIntoView({ block: 'nearest' });
  };
  // "上一页" goes back through the pages this tab walked (cursors only lead forward).
  const canBack = s.n > 1 && history.state && history.state.publicityPrev;
  return el('nav', { class: 'pager', 'aria-label': '公示分页', 'data-testid': 'publicity-pager' },
    el('button', { type: 'button', class: 'secondary', disabled: s.n <= 1,
                   onclick: () => move({ ...s, after: '', n: 1 }) }, '第一页'),
    el('button', { type: 'button', class: 'secondary', disabled: !canBack, 'data-testid': 'publicity-pager-prev',
                   onclick: () => history.back() }, '上一页'),
    el('span', { class: 'info', 'data-testid': 'publicity-pager-info' }, `第 ${s.n} 页`),
    el('button', { type: 'button', class: 'secondary', disabled: !(data.has_more && data.next),
                   'data-testid': 'publicity-pager-next',
                   onclick: () => move({ ...s, after: data.next, n: s.n + 1 }) }, '下一页'));
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const s = state();
  const from = document.getElementById('from').value;
  const to = document.getElementById('to').value;
  if (from && to && from > to) {
    statusEl.textContent = '起始日期不能晚于截止日期。';
    document.getElementById('from').focus();
    return;
  }
  history.pushState(null, '', urlOf({ kind: s.kind, from, to, dept: deptInput.value.trim(), after: '', n: 1 }));
  run();
});
window.addEventListener('popstate', run);
run();
