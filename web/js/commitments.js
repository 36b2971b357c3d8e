// commitments.html?type=&state=&page=: commitments publicity (GET /api/v1/commitments),
// newest first; the API gives `more`, not a total.
import { api, el, errorText, qs, setChildren } from './api.js';
import { pager } from './pager.js';

const PAGE_SIZE = 20;
const form = document.getElementById('filters');
const typeSel = document.getElementById('ctype');
const stateSel = document.getElementById('cstate');
const statusEl = document.getElementById('status');
const box = document.getElementById('list');
const pagerBox = document.getElementById('pager');

function state() {
  const p = Number.parseInt(qs('page') || '1', 10);
  return { type: qs('type') || '', state: qs('state') || '', page: Number.isFinite(p) && p >= 1 ? p : 1 };
}

function urlOf(s) {
  const p = new URLSearchParams();
  if (s.type) p.set('type', s.type);
  if (s.state) p.set('state', s.state);
  if (s.page > 1) p.set('page', String(s.page));
  const q = p.toString();
  return q ? '?' + q : location.pathname;
}

const CLS = { fulfilled: 'ok', open: 'info', partially_fulfilled: 'warn', unfulfilled: 'bad', overdue: 'bad' };

function row(c) {
  const f = (c.record && c.record.fields) || {};
  const s = c.subject || {};
  return el('tr', { 'data-testid': 'commitment-row' },
    el('td', { 'data-label': '承诺人' }, s.code
      ? el('a', { href: '/subject.html?code=' + encodeURIComponent(s.code) + '#tab=commitments' }, s.name) : s.name),
    el('td', { 'data-label': '承诺编码', class: 'code' }, c.code),
    el('td', { 'data-label': '承诺类型' }, c.type),
    el('td', { 'data-label': '承诺事由' }, f.CN_CNSY || '—'),
    el('td', { 'data-label': '作出日期' }, c.made),
    el('td', { 'data-label': '有效期至' }, c.deadline || '—'),
    el('td', { 'data-label': '受理单位' }, c.accepting_unit || '—'),
    el('td', { 'data-label': '状态' }, el('span', { class: 'badge ' + (CLS[c.state] || 'info') }, c.state_label || c.state)));
}

let seq = 0;
async function run() {
  const s = state();
  typeSel.value = s.type;
  stateSel.value = s.state;
  box.replaceChildren();
  pagerBox.replaceChildren();
  statusEl.textContent = '正在加载…';
  const mine = ++seq;
  try {
    const data = await api('/commitments', { query: { type: s.type, state: s.state, page: s.page, page_size: PAGE_SIZE } });
    if (mine !== seq) return;
    statusEl.textContent = data.commitments.length ? `第 ${data.page} 页。` : (s.page > 1 ? '本页没有承诺。' : '没有符合条件的信用承诺。');
    if (data.commitments.length) {
      box.append(el('table', { class: 'data stack-sm' },
        el('caption', { class: 'visually-hidden' }, '信用承诺公示'),
        el('thead', null, el('tr', null, ['承诺人', '承诺编码', '承诺类型', '承诺事由', '作出日期', '有效期至', '受理单位', '状态']
          .map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', null, data.commitments.map(row))));
    }
    if (data.more || s.page > 1) {
      pagerBox.append(pager({
        page: data.page, pageSize: data.page_size, total: data.total, hasMore: data.more, label: '承诺分页',
        testid: 'commitment-pager',
        onPage: (np) => { history.pushState(null, '', urlOf({ ...s, page: np })); run(); statusEl.scrollIntoView({ block: 'nearest' }); },
      }));
    }
  } catch (err) {
    if (mine !== seq) return;
    statusEl.textContent = '信用承诺加载失败：' + errorText(err);
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  history.pushState(null, '', urlOf({ type: typeSel.value, state: stateSel.value, page: 1 }));
  run();
});
window.addEventListener('popstate', run);
run();
