// subject.html?code=…#tab=…&page=…: a subject's profile (GET /api/v1/subjects/{code}), its
// records by tab (…/records filtered by category or indicator), its commitments
// (…/commitments), its evaluation (…/grade, needs a token) and the credit report download
// (POST …/reports). The tab and its page live in the URL hash.
import { api, ApiError, el, errorText, fmtDate, getToken, qs, setChildren, downloadBlob } from './api.js';
import { loadCatalog, recordView, indicatorName } from './catalog.js';
import { pager } from './pager.js';

const PAGE_SIZE = 10;
const code = (qs('code') || '').trim();
const statusEl = document.getElementById('subject-status');
const profileEl = document.getElementById('profile');
const tabsEl = document.getElementById('tabs');
const panel = document.getElementById('tab-panel');

// `category`: an indicator code or a catalog category name (the records endpoint takes both).
const TABS = [
  { key: 'basic', label: '基本信息', category: '登记注册基本信息' },
  { key: 'licence', label: '行政许可', category: 'admin_licence' },
  { key: 'penalty', label: '行政处罚', category: 'admin_penalty' },
  { key: 'judicial', label: '司法信息', category: '司法裁判及执行信息' },
  { key: 'red', label: '红名单', category: '诚信荣誉' },
  { key: 'serious', label: '严重失信主体名单', category: '严重失信主体名单' },
  { key: 'commitments', label: '信用承诺', kind: 'commitments' },
  { key: 'evaluation', label: '信用评价', kind: 'grade', category: '信用评价结果' },
  { key: 'other', label: '其他信息', kind: 'other' },
];

const IDENTIFIER_LABELS = {
  uscc: '统一社会信用代码',
  org_code: '组织机构代码',
  reg_number: '工商注册号',
  tax_number: '税务登记号',
  inst_cert: '事业单位证书号',
  social_org_cert: '社会组织登记证号',
  person_code: '自然人编码',
};

let catalog = null;
let profile = null;

function tabIndicators(tab) {
  // The indicators a tab covers, from the catalog (an indicator code or a category name).
  if (!catalog || !tab.category) return [];
  if (catalog.byCode.has(tab.category)) return [tab.category];
  return catalog.raw.indicators.filter((i) => i.category === tab.category).map((i) => i.code);
}

function coveredIndicators() {
  const s = new Set();
  for (const t of TABS) for (const i of tabIndicators(t)) s.add(i);
  s.add('credit_commitment');
  return s;
}

function tabCount(tab) {
  if (!profile) return null;
  const counts = profile.category_counts || {};
  if (tab.kind === 'commitments') return counts.credit_commitment || 0;
  if (tab.kind === 'other') {
    const covered = coveredIndicators();
    return Object.entries(counts).filter(([k]) => !covered.has(k)).reduce((a, [, v]) => a + v, 0);
  }
  return tabIndicators(tab).reduce((a, i) => a + (counts[i] || 0), 0);
}

function readHash() {
  const p = new URLSearchParams(location.hash.replace(/^#/, ''));
  const key = TABS.some((t) => t.key === p.get('tab')) ? p.get('tab') : 'basic';
  const page = Number.parseInt(p.get('page') || '1', 10);
  return { key, page: Number.isFinite(page) && page >= 1 ? page : 1, ind: p.get('ind') || '' };
}

function writeHash({ key, page = 1, ind = '' }) {
  const p = new URLSearchParams();
  p.set('tab', key);
  if (ind) p.set('ind', ind);
  if (page > 1) p.set('page', String(page));
  const h = '#' + p.toString();
  selectTabButton(key);  // at once: hashchange comes later
  if (location.hash !== h) location.hash = h;  // hashchange renders
  else renderTab();
}

function buildTabs() {
  const buttons = TABS.map((t) => {
    const n = tabCount(t);
    return el('button', {
      type: 'button', role: 'tab', id: 'tab-' + t.key, 'aria-controls': 'tab-panel',
      'aria-selected': 'false', tabindex: '-1', 'data-testid': 'tab-' + t.key, dataset: { tab: t.key },
      onclick: () => writeHash({ key: t.key }),
    }, t.label, n ? el('span', { class: 'tab-count' }, ` (${n})`) : null);
  });
  tabsEl.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    let j = -1;
    if (e.key === 'ArrowRight') j = (i + 1) % buttons.length;
    else if (e.key === 'ArrowLeft') j = (i - 1 + buttons.length) % buttons.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = buttons.length - 1;
    if (j < 0) return;
    e.preventDefault();
    buttons[j].focus();
    writeHash({ key: TABS[j].key });
  });
  setChildren(tabsEl, buttons);
  tabsEl.hidden = false;
}

function selectTabButton(key) {
  for (const b of tabsEl.querySelectorAll('[role=tab]')) {
    const on = b.dataset.tab === key;
    b.setAttribute('aria-selected', on ? 'true' : 'false');
    b.tabIndex = on ? 0 : -1;
  }
  panel.setAttribute('aria-labelledby', 'tab-' + key);
}

function renderProfile(p) {
  const s = p.subject;
  document.title = `${s.name} — 信用郑州`;
  document.getElementById('subject-name').textContent = s.name;
  const meta = document.getElementById('subject-meta');
  setChildren(meta,
    el('p', null, el('span', { class: 'code', 'data-testid': 'subject-code' }, s.code), ' · ', s.type_label || s.type,
      s.status ? ' · 登记状态：' + s.status : null),
    s.former_names && s.former_names.length
      ? el('p', { 'data-testid': 'former-names' }, '曾用名：', s.former_names.join('、')) : null,
    el('p', null, `社会公开信用记录 ${p.public_records} 条`,
      p.view !== 'public' ? `；当前视图（${p.view}）可见 ${p.visible_records} 条` : ''));
  const lists = document.getElementById('subject-lists');
  setChildren(lists, (p.lists || []).map((m) => {
    const cls = ['red_list', 'tax_a_grade'].includes(m.indicator) ? 'ok' : 'bad';
    return el('span', { class: 'badge ' + cls, 'data-testid': 'list-membership' },
      `${m.name}（${m.start} 至 ${m.end || '长期'}${m.document_number ? '，' + m.document_number : ''}）`);
  }));
  profileEl.hidden = false;
}

function basicInfo() {
  const s = profile.subject;
  const dl = el('dl', { class: 'fields' });
  const add = (k, v) => { if (v) dl.append(el('dt', null, k), el('dd', null, v)); };
  add('主体名称', s.name);
  add('主体类型', s.type_label);
  for (const [k, v] of Object.entries(s.identifiers || {})) add(IDENTIFIER_LABELS[k] || k, v);
  add('证件号码', s.id_number_masked);
  add('登记状态', s.status);
  add('行政区划代码', s.region);
  add('行业', s.industry_name ? `${s.industry_name}（${s.industry}）` : s.industry);
  add('曾用名', (s.former_names || []).join('、'));
  add('首次归集', s.first_seen);
  const counts = Object.entries(profile.category_counts || {});
  const table = counts.length ? el('div', { class: 'table-wrap' }, el('table', { class: 'data', 'data-testid': 'category-counts' },
    el('caption', { class: 'visually-hidden' }, '各类信用信息数量'),
    el('thead', null, el('tr', null, el('th', { scope: 'col' }, '信息类别'), el('th', { scope: 'col' }, '信息名称'),
      el('th', { scope: 'col' }, '条数'))),
    el('tbody', null, counts.map(([ind, n]) => {
      const info = catalog.byCode.get(ind);
      return el('tr', null, el('td', null, info ? info.category : '—'), el('td', null, indicatorName(catalog, ind)),
        el('td', null, String(n)));
    })))) : el('p', null, '暂无社会公开的信用记录。');
  return [el('h2', null, '主体信息'), dl, el('h2', null, '信用信息概况'), table];
}

async function loadRecords(box, category, page, tabKey, extra = {}) {
  const list = el('div', { id: 'records', 'data-testid': 'records-list', 'aria-busy': 'true' }, el('p', { class: 'status' }, '正在加载记录…'));
  const pagerBox = el('div', { id: 'records-pager-box' });
  box.append(list, pagerBox);
  try {
    const data = await api(`/subjects/${encodeURIComponent(code)}/records`,
      { query: { category, page, page_size: PAGE_SIZE } });
    list.removeAttribute('aria-busy');
    if (!data.records.length) {
      setChildren(list, el('p', { class: 'status', 'data-testid': 'records-empty' },
        data.total > 0 ? `本页没有记录（共 ${data.total} 条）。` : '暂无此类社会公开信用记录。'));
    } else {
      setChildren(list, el('p', { class: 'status' }, `共 ${data.total} 条记录`),
        data.records.map((r) => recordView(r, catalog)));
    }
    if (data.total > PAGE_SIZE || page > 1) {
      pagerBox.append(pager({
        page: data.page, pageSize: data.page_size, total: data.total, testid: 'records-pager',
        label: '记录分页', onPage: (p) => writeHash({ key: tabKey, page: p, ...extra }),
      }));
    }
  } catch (err) {
    list.removeAttribute('aria-busy');
    setChildren(list, el('p', { class: 'msg error', role: 'alert' }, '记录加载失败：' + errorText(err)));
  }
}

function commitmentView(c) {
  const cls = { fulfilled: 'ok', open: 'info', partially_fulfilled: 'warn', unfulfilled: 'bad', overdue: 'bad' }[c.state] || 'info';
  const dl = el('dl', { class: 'fields' });
  const add = (k, v) => { if (v) dl.append(el('dt', null, k), el('dd', null, v)); };
  add('承诺编码', c.code);
  add('承诺类型', c.type);
  add('作出日期', c.made);
  add('承诺有效期至', c.deadline);
  add('承诺受理单位', c.accepting_unit);
  add('履行状态', c.status);
  add('认定日期', c.found);
  add('认定单位', c.found_by);
  add('公开类型', c.publicity);
  const f = (c.record && c.record.fields) || {};
  const ind = catalog.byCode.get('credit_commitment');
  const labelOf = (k) => ((ind && ind.fields.find((x) => x.code === k)) || {}).label || k;
  for (const k of ['CN_CNSY', 'CN_CNNR', 'CN_WNZR']) add(labelOf(k), f[k]);
  return el('article', { class: 'card', 'data-testid': 'commitment' },
    el('h3', null, el('span', null, c.type || '信用承诺'), el('span', { class: 'badge ' + cls }, c.state_label || c.state),
      c.false_commitment ? el('span', { class: 'badge bad' }, '虚假承诺') : null),
    dl);
}

async function loadCommitments(box, page) {
  const list = el('div', { id: 'records', 'data-testid': 'records-list' }, el('p', { class: 'status' }, '正在加载信用承诺…'));
  const pagerBox = el('div');
  box.append(list, pagerBox);
  try {
    const data = await api(`/subjects/${encodeURIComponent(code)}/commitments`, { query: { page, page_size: PAGE_SIZE } });
    if (!data.commitments.length) {
      setChildren(list, el('p', { class: 'status', 'data-testid': 'records-empty' }, '暂无社会公开的信用承诺。'));
    } else {
      setChildren(list, typeof data.total === 'number' ? el('p', { class: 'status' }, `共 ${data.total} 项承诺`) : null,
        data.commitments.map(commitmentView));
    }
    if (data.more || page > 1) {
      pagerBox.append(pager({
        page: data.page, pageSize: data.page_size, total: data.total, hasMore: data.more, testid: 'records-pager',
        label: '信用承诺分页', onPage: (p) => writeHash({ key: 'commitments', page: p }),
      }));
    }
  } catch (err) {
    setChildren(list, el('p', { class: 'msg error', role: 'alert' }, '信用承诺加载失败：' + errorText(err)));
  }
}

function gradeView(g) {
  const dl = el('dl', { class: 'fields' });
  const add = (k, v) => { if (v !== undefined && v !== null && v !== '') dl.append(el('dt', null, k), el('dd', null, String(v))); };
  add('评价等级', `${g.grade}（${g.grade_label}）`);
  add('评价得分', `${g.score}（基础分 ${g.base}）`);
  add('评价日期', g.date);
  add('本等级起始日期', g.since);
  add('评价模型', g.model);
  add('评价依据', g.legal_basis);
  if (!g.stored) add('说明', '尚未存储评价结果，以上为按今日数据即时计算');
  const rows = (g.contributions || []).map((c) => el('tr', null,
    el('td', { 'data-label': '评价项' }, c.label), el('td', { 'data-label': '信息' }, indicatorName(catalog, c.indicator)),
    el('td', { 'data-label': '记录数' }, String(c.records)),
    el('td', { 'data-label': '分值' }, (c.points > 0 ? '+' : '') + c.points + (c.capped ? '（已封顶）' : ''))));
  return el('div', { class: 'card', 'data-testid': 'grade' },
    el('h3', null, '公共信用综合评价'), dl,
    rows.length ? el('div', { class: 'table-wrap' }, el('table', { class: 'data stack-sm' },
      el('caption', { class: 'visually-hidden' }, '评价得分构成'),
      el('thead', null, el('tr', null, ['评价项', '信息', '记录数', '分值'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', null, rows))) : null);
}

async function loadGrade(box) {
  const out = el('div', { id: 'grade-box', 'data-testid': 'grade-box' }, el('p', { class: 'status' }, '正在加载信用评价…'));
  box.append(out);
  const token = getToken();
  if (!token) {
    setChildren(out, el('p', { class: 'msg info', 'data-testid': 'grade-refused' },
      '公共信用综合评价结果仅向信用主体本人和政府部门提供。信用主体可在“我的信用”中登录后查看。'));
    return;
  }
  try {
    const g = await api(`/subjects/${encodeURIComponent(code)}/grade`, { token });
    setChildren(out, gradeView(g));
  } catch (err) {
    let text;
    if (err instanceof ApiError && err.status === 401) {
      text = '登录令牌无效或已过期，请在“我的信用”中重新登录。（' + err.message + '）';
    } else if (err instanceof ApiError && err.status === 403) {
      text = '当前登录身份无权查看该主体的信用评价。（' + err.message + '）';
    } else if (err instanceof ApiError && err.status === 409) {
      text = '自然人不参与公共信用综合评价。';
    } else {
      text = '信用评价加载失败：' + errorText(err);
    }
    setChildren(out, el('p', { class: 'msg info', 'data-testid': 'grade-refused' }, text));
  }
}

function otherIndicators() {
  const covered = coveredIndicators();
  return Object.entries(profile.category_counts || {}).filter(([k]) => !covered.has(k));
}

async function renderTab() {
  if (!profile) return;
  const { key, page, ind } = readHash();
  const tab = TABS.find((t) => t.key === key);
  selectTabButton(key);
  panel.replaceChildren();
  panel.hidden = false;
  // The record cards are h3: give every tab an h2 (the others below have visible ones).
  if (tab.key !== 'basic' && tab.kind !== 'grade') panel.append(el('h2', { class: 'visually-hidden' }, tab.label));
  if (tab.key === 'basic') panel.append(...basicInfo(), el('h2', null, '登记注册信息记录'));
  if (tab.kind === 'commitments') {
    await loadCommitments(panel, page);
    return;
  }
  if (tab.kind === 'grade') {
    panel.append(el('h2', null, '公共信用综合评价'));
    loadGrade(panel);
    panel.append(el('h2', null, '其他信用评价结果'));
  }
  if (tab.kind === 'other') {
    const others = otherIndicators();
    if (!others.length) {
      panel.append(el('p', { class: 'status', 'data-testid': 'records-empty' }, '暂无其他类别的社会公开信用记录。'));
      return;
    }
    const chosen = others.some(([k]) => k === ind) ? ind : others[0][0];
    const sel = el('select', { id: 'other-indicator', 'data-testid': 'other-indicator',
      onchange: () => writeHash({ key: 'other', ind: sel.value }) },
      others.map(([k, n]) => el('option', { value: k, selected: k === chosen }, `${indicatorName(catalog, k)}（${n}）`)));
    panel.append(el('div', { class: 'filters' }, el('label', { for: 'other-indicator' }, '信息名称 '), sel));
    await loadRecords(panel, chosen, page, 'other', { ind: chosen });
    return;
  }
  if (!tabIndicators(tab).length) {
    panel.append(el('p', { class: 'status' }, '公共信用信息目录中暂无此类信息。'));
    return;
  }
  await loadRecords(panel, tab.category, page, tab.key);
}

async function downloadReport() {
  const btn = document.getElementById('report-download');
  const out = document.getElementById('report-status');
  btn.disabled = true;
  out.className = '';
  out.textContent = '正在生成信用报告…';
  try {
    const res = await api(`/subjects/${encodeURIComponent(code)}/reports`, {
      method: 'POST', body: { kind: 'public', view: 'public', format: 'pdf' }, accept: 'response',
    });
    const number = res.headers.get('X-Report-Number') || '';
    const blob = await res.blob();
    downloadBlob(blob, `信用报告-${number || code}.pdf`);
    out.className = 'msg ok';
    setChildren(out, '信用报告已生成并下载。报告编号：',
      el('strong', { id: 'report-number', class: 'code', 'data-testid': 'report-number' }, number),
      '。', number ? el('a', { id: 'report-verify-link', 'data-testid': 'report-verify-link',
        href: '/verify.html?number=' + encodeURIComponent(number) }, '在线核验此报告') : null);
  } catch (err) {
    out.className = 'msg error';
    out.textContent = '信用报告生成失败：' + errorText(err);
  } finally {
    btn.disabled = false;
  }
}

async function start() {
  if (!code) {
    statusEl.textContent = '缺少主体代码。请从查询结果进入本页。';
    return;
  }
  try {
    [catalog, profile] = await Promise.all([
      loadCatalog(),
      api(`/subjects/${encodeURIComponent(code)}`),
    ]);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) statusEl.textContent = `未找到代码为“${code}”的信用主体。`;
    else statusEl.textContent = '主体信息加载失败：' + errorText(err);
    statusEl.className = 'msg error';
    return;
  }
  statusEl.textContent = '';
  renderProfile(profile);
  buildTabs();
  document.getElementById('report-download').addEventListener('click', downloadReport);
  window.addEventListener('hashchange', renderTab);
  await renderTab();
  // The page is complete (profile and first tab): bench/portal.mjs reads the time.
  document.body.dataset.readyMs = performance.now().toFixed(1);
}

start();
