// lists.html?type=red|serious_dishonesty&page=: current members of a list
// (GET /api/v1/lists/{type}), newest first, paged with the API's total.
import { api, codeLabel, el, errorText, qs, setChildren } from './api.js';
import { pager } from './pager.js';

const PAGE_SIZE = 20;
const TYPES = {
  red: {
    title: '诚信红名单', intro: '受到表彰奖励、评为诚信典型等守信主体，在有效期内列示。',
    name: ['荣誉名称', 'RY_RYMC'], body: ['授予机关', 'RY_SYJG'], start: '授予日期',
  },
  serious_dishonesty: {
    title: '严重失信主体名单', intro: '依法依规认定的严重失信主体，在有效期内列示；信用修复后移出。',
    name: ['名单名称', 'YZSX_MDMC'], body: ['认定部门', 'YZSX_RDBM'], reason: ['列入原因', 'YZSX_LRYY'], start: '列入日期',
  },
  court_dishonest_debtor: { title: '失信被执行人', intro: '人民法院依法公布的失信被执行人。', start: '列入日期' },
  abnormal_operation: { title: '经营异常名录', intro: '市场监督管理部门列入经营异常名录的主体。', start: '列入日期' },
};

const type = TYPES[qs('type') || 'red'] ? (qs('type') || 'red') : null;
const statusEl = document.getElementById('status');
const box = document.getElementById('list');
const pagerBox = document.getElementById('pager');

function page() {
  const p = Number.parseInt(qs('page') || '1', 10);
  return Number.isFinite(p) && p >= 1 ? p : 1;
}

function nav() {
  const ul = document.getElementById('list-types');
  setChildren(ul, Object.entries(TYPES).map(([k, t]) => el('li', null,
    el('a', { href: '/lists.html?type=' + k, 'aria-current': k === type ? 'page' : null, 'data-testid': 'list-type-' + k }, t.title))));
}

function table(t, entries) {
  const cols = [['主体名称'], ['主体代码']];
  if (t.name) cols.push([t.name[0]]);
  if (t.body) cols.push([t.body[0]]);
  if (t.reason) cols.push([t.reason[0]]);
  cols.push([t.start], ['有效期至'], ['文号']);
  const rows = entries.map((e) => {
    const f = (e.record && e.record.fields) || {};
    const cells = [
      el('td', { 'data-label': '主体名称' }, e.subject.code
        ? el('a', { href: '/subject.html?code=' + encodeURIComponent(e.subject.code), 'data-testid': 'list-subject-link' }, e.subject.name)
        : e.subject.name),
      el('td', { 'data-label': codeLabel(e.subject.code), class: 'code' }, e.subject.code || '—'),
    ];
    for (const c of [t.name, t.body, t.reason]) {
      if (c) cells.push(el('td', { 'data-label': c[0] }, f[c[1]] || '—'));
    }
    cells.push(el('td', { 'data-label': t.start }, e.start || '—'),
      el('td', { 'data-label': '有效期至' }, e.end || '长期'),
      el('td', { 'data-label': '文号' }, (e.record && e.record.document_number) || '—'));
    return el('tr', { 'data-testid': 'list-entry' }, cells);
  });
  return el('div', { class: 'table-wrap' }, el('table', { class: 'data stack-sm' },
    el('caption', { class: 'visually-hidden' }, t.title),
    el('thead', null, el('tr', null, cols.map((c) => el('th', { scope: 'col' }, c[0])))),
    el('tbody', null, rows)));
}

let seq = 0;
async function run() {
  nav();
  if (!type) {
    statusEl.textContent = '未知的名单类型。请从上方选择名单。';
    return;
  }
  const t = TYPES[type];
  document.getElementById('list-title').textContent = t.title;
  document.getElementById('list-intro').textContent = t.intro;
  document.title = `${t.title} — 信用郑州`;
  const p = page();
  statusEl.textContent = '正在加载…';
  box.replaceChildren();
  pagerBox.replaceChildren();
  const mine = ++seq;
  try {
    const data = await api('/lists/' + type, { query: { page: p, page_size: PAGE_SIZE } });
    if (mine !== seq) return;
    statusEl.textContent = `截至 ${data.date}，${data.name}当前共 ${data.total} 条。`;
    if (!data.entries.length) box.append(el('p', { class: 'status' }, p > 1 ? '本页没有条目。' : '名单中暂无成员。'));
    else box.append(table(t, data.entries));
    if (data.total > PAGE_SIZE || p > 1) {
      pagerBox.append(pager({
        page: data.page, pageSize: data.page_size, total: data.total, label: '名单分页', testid: 'list-pager',
        onPage: (np) => {
          history.pushState(null, '', `?type=${type}${np > 1 ? '&page=' + np : ''}`);
          run();
          statusEl.scrollIntoView({ block: 'nearest' });
        },
      }));
    }
  } catch (err) {
    if (mine !== seq) return;
    statusEl.textContent = '名单加载失败：' + errorText(err);
  }
}

window.addEventListener('popstate', run);
run();
