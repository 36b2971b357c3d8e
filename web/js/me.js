// me.html (我的信用): a subject logs in with its code and its token (kept in sessionStorage),
// then sees its full record (records?status=all), its objections, repairs, declarations and
// commitments, who read its data (access-log) and the credit checks on it, and files
// objections (POST /objections), repair applications (POST /repairs, with a 信用修复型
// commitment), voluntary declarations (POST …/declarations, with a truthfulness commitment) and
// 主动型 commitments of its own (POST …/commitments).
import { api, ApiError, el, errorText, fmtDate, getToken, setToken, setChildren, downloadBlob } from './api.js';
import { loadCatalog, recordView, indicatorName } from './catalog.js';
import { pager } from './pager.js';

const SUBJECT_KEY = 'xinyong.subject';
const PAGE_SIZE = 10;
const $ = (id) => document.getElementById(id);

let token = null;
let code = null;
let catalog = null;
let recordsPage = 1;

function storedSubject() {
  try { return sessionStorage.getItem(SUBJECT_KEY); } catch { return null; }
}
function storeSubject(c) {
  try {
    if (c) sessionStorage.setItem(SUBJECT_KEY, c);
    else sessionStorage.removeItem(SUBJECT_KEY);
  } catch {
    // Storage disabled: the login lasts as long as the page.
  }
}

const STEP_LABELS = { forward: '转办', verify: '核实', notify: '告知', accept: '受理', decide: '决定' };

/** Call with the subject's token; an expired or revoked token logs out. */
async function call(path, opts = {}) {
  try {
    return await api(path, { ...opts, token });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && token) {
      logout('登录令牌无效或已过期，请重新登录。（' + err.message + '）');
    }
    throw err;
  }
}

function showLogin(message) {
  $('me-app').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  if (code) $('login-code').value = code;
}

function logout(message) {
  setToken(null);
  storeSubject(null);
  token = null;
  showLogin(message);
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const c = $('login-code').value.trim().toUpperCase();
  const t = $('login-token').value.trim();
  const errEl = $('login-error');
  errEl.textContent = '';
  if (!c || !t) {
    errEl.textContent = !c ? '请输入统一社会信用代码。' : '请粘贴访问令牌。';
    (!c ? $('login-code') : $('login-token')).focus();
    return;
  }
  $('login-submit').disabled = true;
  try {
    // A subject reads only its own access log: this checks the token and the code together.
    await api(`/subjects/${encodeURIComponent(c)}/access-log`, { token: t, query: { limit: 1 } });
    setToken(t);
    storeSubject(c);
    token = t;
    code = c;
    $('login-token').value = '';
    await enter();
  } catch (err) {
    let text;
    if (err instanceof ApiError && err.status === 401) text = '令牌无效、已过期或已吊销。（' + err.message + '）';
    else if (err instanceof ApiError && err.status === 403) text = '该令牌不是此信用主体的令牌。（' + err.message + '）';
    else if (err instanceof ApiError && err.status === 404) text = `未找到代码为“${c}”的信用主体。`;
    else text = '登录失败：' + errorText(err);
    errEl.textContent = text;
  } finally {
    $('login-submit').disabled = false;
  }
});

$('logout').addEventListener('click', () => logout('已退出登录。'));

// ---- records -------------------------------------------------------------------------------

function prefill(formPrefix, recordId) {
  $(formPrefix + '-record').value = String(recordId);
  $(formPrefix + '-form').scrollIntoView({ block: 'start' });
  $(formPrefix + '-record').focus();
}

let recordsSeq = 0;
async function loadRecords() {
  const mine = ++recordsSeq;
  const box = $('my-records');
  const pagerBox = $('my-records-pager');
  const status = $('records-status');
  status.textContent = '正在加载…';
  box.replaceChildren();
  pagerBox.replaceChildren();
  try {
    const data = await call(`/subjects/${encodeURIComponent(code)}/records`,
      { query: { status: 'all', category: $('records-category').value, page: recordsPage, page_size: PAGE_SIZE } });
    if (mine !== recordsSeq) return;
    status.textContent = data.total ? `共 ${data.total} 条记录。` : '暂无记录。';
    setChildren(box, data.records.map((r) => {
      const ind = catalog.byCode.get(r.indicator);
      const actions = [];
      if (r.status === 'active' && !r.under_objection) {
        actions.push(el('button', { type: 'button', class: 'secondary', 'data-testid': 'record-object',
          onclick: () => prefill('objection', r.id) }, '对此记录提出异议'));
      }
      if (r.status === 'active' && ind && ind.nature === 'negative') {
        actions.push(el('button', { type: 'button', class: 'secondary', 'data-testid': 'record-repair',
          onclick: () => prefill('repair', r.id) }, '申请信用修复'));
      }
      return recordView(r, catalog, { actions: actions.length ? actions : null });
    }));
    if (data.total > PAGE_SIZE || recordsPage > 1) {
      pagerBox.append(pager({ page: data.page, pageSize: data.page_size, total: data.total, label: '我的记录分页',
        testid: 'my-records-pager',
        onPage: (p) => { recordsPage = p; loadRecords(); $('records-title').scrollIntoView({ block: 'start' }); } }));
    }
  } catch (err) {
    if (mine !== recordsSeq) return;
    status.textContent = '记录加载失败：' + errorText(err);
  }
}

$('records-filter').addEventListener('submit', (e) => {
  e.preventDefault();
  recordsPage = 1;
  loadRecords();
});

// ---- objections and repairs ---------------------------------------------------------------

function deadlineText(a) {
  if (!a.open) return '已办结';
  if (a.deadline) return `${a.deadline}（${STEP_LABELS[a.deadline_step] || a.deadline_step || '当前步骤'}）`;
  return a.deadline_note || '—';
}

function applicationsTable(kind, apps) {
  const isObj = kind === 'objection';
  const head = ['编号', '记录', '提交日期', '状态', '当前期限', isObj ? '整体答复期限' : '修复承诺', '答复', ''];
  const rows = apps.map((a) => {
    const rec = a.record || {};
    const canWithdraw = a.open && (isObj ? ['submitted', 'forwarded'].includes(a.state) : ['applied', 'accepted'].includes(a.state));
    return el('tr', { 'data-testid': isObj ? 'my-objection' : 'my-repair', dataset: { id: String(a.id) } },
      el('td', { 'data-label': '编号', class: 'code' }, String(a.id)),
      el('td', { 'data-label': '记录' }, `${rec.indicator_name || indicatorName(catalog, rec.indicator)} ${rec.document_number || ''}（记录 ${rec.id}）`),
      el('td', { 'data-label': '提交日期' }, a.filed || '—'),
      el('td', { 'data-label': '状态' }, el('span', { class: 'badge ' + (a.open ? 'info' : 'ok') }, a.state_label || a.state),
        a.overdue ? el('span', { class: 'badge bad' }, '已逾期') : null),
      el('td', { 'data-label': '当前期限' }, deadlineText(a)),
      el('td', { 'data-label': isObj ? '整体答复期限' : '修复承诺' }, (isObj ? a.overall_deadline : a.commitment) || '—'),
      el('td', { 'data-label': '答复' }, a.reply || a.answer || '—'),
      el('td', null, canWithdraw ? el('button', { type: 'button', class: 'secondary', 'data-testid': kind + '-withdraw',
        'aria-label': '撤回编号 ' + a.id, onclick: (e) => withdraw(kind, a.id, e.currentTarget) }, '撤回') : null));
  });
  return el('table', { class: 'data stack-sm' },
    el('caption', { class: 'visually-hidden' }, isObj ? '我的异议' : '我的修复申请'),
    el('thead', null, el('tr', null, head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', null, rows));
}

async function loadApplications(kind) {
  const isObj = kind === 'objection';
  const box = $(isObj ? 'my-objections' : 'my-repairs');
  const status = $(isObj ? 'objections-status' : 'repairs-status');
  status.textContent = '正在加载…';
  try {
    const data = await call(isObj ? '/objections' : '/repairs', { query: { page_size: 100 } });
    const apps = (isObj ? data.objections : data.repairs) || [];
    status.textContent = apps.length
      ? `共 ${data.total ?? apps.length} 件（期限按 ${data.as_of || '今日'} 计算）。` : (isObj ? '暂无异议申请。' : '暂无修复申请。');
    setChildren(box, apps.length ? applicationsTable(kind, apps) : null);
  } catch (err) {
    status.textContent = '加载失败：' + errorText(err);
  }
}

async function withdraw(kind, id, btn) {
  if (!window.confirm(`确定撤回编号 ${id} 的${kind === 'objection' ? '异议' : '修复申请'}吗？`)) return;
  const status = $(kind === 'objection' ? 'objections-status' : 'repairs-status');
  if (btn) btn.disabled = true;
  try {
    await call(`/${kind === 'objection' ? 'objections' : 'repairs'}/${id}:withdraw`, { method: 'POST', body: { reason: '申请人撤回' } });
    await loadApplications(kind);
    status.textContent = `编号 ${id} 已撤回。`;
    loadRecords();
  } catch (err) {
    status.textContent = '撤回失败：' + errorText(err);
    if (btn && btn.isConnected) btn.disabled = false;
  }
}

function lines(text) {
  return text.split('\n').map((s) => s.trim()).filter(Boolean);
}

function bytes(s) {
  return new TextEncoder().encode(s).length;
}

/** Shows a form's error next to it and focuses the field the API names, when it names one. */
function formError(prefix, err, fieldIds = {}) {
  const errEl = $(prefix + '-error');
  errEl.textContent = typeof err === 'string' ? err : errorText(err);
  const d = err && err.details;
  const name = d && (d.field || d.parameter);
  if (name && fieldIds[name]) $(fieldIds[name]).focus();
}

function successBox(prefix, ...children) {
  setChildren($(prefix + '-success'), ...children);
}

$('objection-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('objection-error').textContent = '';
  successBox('objection');
  const record = Number.parseInt($('objection-record').value, 10);
  const reason = $('objection-reason').value.trim();
  const evidence = lines($('objection-evidence').value);
  if (!Number.isFinite(record) || record < 1) { formError('objection', '请填写要提出异议的记录编号。'); $('objection-record').focus(); return; }
  if (!reason) { formError('objection', '请填写异议理由。'); $('objection-reason').focus(); return; }
  if (bytes(reason) > 4000) { formError('objection', '异议理由过长（最多 4000 字节，约 1300 个汉字）。'); $('objection-reason').focus(); return; }
  if (evidence.length > 20) { formError('objection', '证明材料最多 20 项。'); $('objection-evidence').focus(); return; }
  $('objection-submit').disabled = true;
  try {
    const a = await call('/objections', { method: 'POST', body: { subject: code, record, reason, evidence } });
    successBox('objection', '异议已提交。异议编号：', el('strong', { id: 'objection-id', 'data-testid': 'objection-id' }, String(a.id)),
      `；当前状态：${a.state_label || a.state}；`,
      '当前步骤期限：', el('span', { id: 'objection-deadline', 'data-testid': 'objection-deadline' }, deadlineText(a)),
      a.overall_deadline ? `；整体答复期限：${a.overall_deadline}` : '', '。');
    $('objection-form').reset();
    loadApplications('objection');
    loadRecords();
  } catch (err) {
    formError('objection', err, { record: 'objection-record', reason: 'objection-reason', evidence: 'objection-evidence' });
  } finally {
    $('objection-submit').disabled = false;
  }
});

$('repair-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('repair-error').textContent = '';
  successBox('repair');
  const record = Number.parseInt($('repair-record').value, 10);
  const declaration = $('repair-declaration').value.trim();
  const evidence = lines($('repair-evidence').value);
  const content = $('repair-commitment').value.trim();
  const liability = $('repair-liability').value.trim();
  if (!Number.isFinite(record) || record < 1) { formError('repair', '请填写要修复的记录编号。'); $('repair-record').focus(); return; }
  if (!declaration) { formError('repair', '请说明纠正失信行为、履行义务的情况。'); $('repair-declaration').focus(); return; }
  if (evidence.length > 20) { formError('repair', '证明材料最多 20 项。'); $('repair-evidence').focus(); return; }
  if (liability && !content) { formError('repair', '填写违诺责任时请同时填写承诺内容。'); $('repair-commitment').focus(); return; }
  const body = { subject: code, record, declaration, evidence };
  if (content) body.commitment = liability ? { content, liability } : { content };
  $('repair-submit').disabled = true;
  try {
    const a = await call('/repairs', { method: 'POST', body });
    const unmet = (a.conditions || []).filter((c) => !c.met);
    successBox('repair', '修复申请已提交。申请编号：', el('strong', { id: 'repair-id', 'data-testid': 'repair-id' }, String(a.id)),
      `；当前状态：${a.state_label || a.state}；`,
      '受理期限：', el('span', { id: 'repair-deadline', 'data-testid': 'repair-deadline' }, deadlineText(a)),
      a.commitment ? `；信用修复承诺编码：${a.commitment}` : '', '。',
      (a.conditions || []).length ? el('ul', { 'data-testid': 'repair-conditions' }, a.conditions.map((c) =>
        el('li', null, (c.met ? '✓ ' : '✗ ') + c.label + (c.detail ? '：' + c.detail : '')))) : null,
      unmet.length ? el('p', null, `尚有 ${unmet.length} 项条件未满足，受理和决定时将再次核对。`) : null);
    $('repair-form').reset();
    loadApplications('repair');
    loadCommitments();
  } catch (err) {
    formError('repair', err, { record: 'repair-record', declaration: 'repair-declaration', evidence: 'repair-evidence',
                               commitment: 'repair-commitment' });
  } finally {
    $('repair-submit').disabled = false;
  }
});

// ---- declarations and commitments ---------------------------------------------------------

async function loadDeclarations() {
  const status = $('declarations-status');
  status.textContent = '正在加载…';
  try {
    const data = await call(`/subjects/${encodeURIComponent(code)}/declarations`, { query: { status: 'all' } });
    const list = data.declarations || [];
    status.textContent = list.length ? `共 ${list.length} 项。` : '暂无自主申报。';
    setChildren($('my-declarations'), list.length ? el('table', { class: 'data stack-sm' },
      el('caption', { class: 'visually-hidden' }, '我的自主申报'),
      el('thead', null, el('tr', null, ['申报编号', '类别', '申报事项', '申报日期', '公开类型', '状态'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', null, list.map((d) => el('tr', { 'data-testid': 'my-declaration' },
        el('td', { 'data-label': '申报编号', class: 'code' }, d.number),
        el('td', { 'data-label': '类别' }, d.kind),
        el('td', { 'data-label': '申报事项' }, d.title),
        el('td', { 'data-label': '申报日期' }, d.declared),
        el('td', { 'data-label': '公开类型' }, d.publicity || '—'),
        el('td', { 'data-label': '状态' }, d.status === 'active' ? '有效' : '已撤回/撤销'))))) : null);
  } catch (err) {
    status.textContent = '加载失败：' + errorText(err);
  }
}

async function loadCommitments() {
  const status = $('commitments-status');
  status.textContent = '正在加载…';
  try {
    const data = await call(`/subjects/${encodeURIComponent(code)}/commitments`, { query: { page_size: 100 } });
    const list = data.commitments || [];
    status.textContent = list.length ? `共 ${data.total ?? list.length} 项。` : '暂无信用承诺。';
    setChildren($('my-commitments'), list.length ? el('table', { class: 'data stack-sm' },
      el('caption', { class: 'visually-hidden' }, '我的信用承诺'),
      el('thead', null, el('tr', null, ['承诺编码', '承诺类型', '作出日期', '有效期至', '受理单位', '公开类型', '状态'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', null, list.map((c) => el('tr', { 'data-testid': 'my-commitment' },
        el('td', { 'data-label': '承诺编码', class: 'code' }, c.code),
        el('td', { 'data-label': '承诺类型' }, c.type),
        el('td', { 'data-label': '作出日期' }, c.made),
        el('td', { 'data-label': '有效期至' }, c.deadline || '—'),
        el('td', { 'data-label': '受理单位' }, c.accepting_unit || '—'),
        el('td', { 'data-label': '公开类型' }, c.publicity || '—'),
        el('td', { 'data-label': '状态' }, c.state_label || c.state))))) : null);
  } catch (err) {
    status.textContent = '加载失败：' + errorText(err);
  }
}

$('declaration-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('declaration-error').textContent = '';
  successBox('declaration');
  const v = (id) => $(id).value.trim();
  const body = { kind: v('declaration-kind'), title: v('declaration-title'), content: v('declaration-content'),
                 truthful: $('declaration-truthful').checked };
  const optional = { issuer: 'declaration-issuer', obtained: 'declaration-obtained', valid_until: 'declaration-valid',
                     evidence: 'declaration-evidence', publicity: 'declaration-publicity' };
  for (const [k, id] of Object.entries(optional)) if (v(id)) body[k] = v(id);
  const missing = [['kind', 'declaration-kind', '申报类别'], ['title', 'declaration-title', '申报事项'],
                   ['content', 'declaration-content', '申报内容']].find(([k]) => !body[k]);
  if (missing) { formError('declaration', `请填写${missing[2]}。`); $(missing[1]).focus(); return; }
  if (body.obtained && body.valid_until && body.obtained > body.valid_until) {
    formError('declaration', '有效期至不能早于取得日期。'); $('declaration-valid').focus(); return;
  }
  if (!body.truthful) { formError('declaration', '请勾选真实性承诺：未作出承诺的申报不予保存。'); $('declaration-truthful').focus(); return; }
  $('declaration-submit').disabled = true;
  try {
    const d = await call(`/subjects/${encodeURIComponent(code)}/declarations`, { method: 'POST', body });
    successBox('declaration', '申报已保存。申报编号（即承诺编码）：',
      el('strong', { id: 'declaration-number', 'data-testid': 'declaration-number' }, d.number),
      d.commitment ? `；主动型信用承诺已作出，受理单位：${d.commitment.accepting_unit}` : '',
      `；公开类型：${d.publicity || '默认'}。`);
    $('declaration-form').reset();
    loadDeclarations();
    loadCommitments();
    loadRecords();
  } catch (err) {
    const f = { kind: 'declaration-kind', title: 'declaration-title', content: 'declaration-content', issuer: 'declaration-issuer',
                obtained: 'declaration-obtained', valid_until: 'declaration-valid', evidence: 'declaration-evidence',
                publicity: 'declaration-publicity', truthful: 'declaration-truthful' };
    formError('declaration', err, f);
  } finally {
    $('declaration-submit').disabled = false;
  }
});

/** Today as YYYY-MM-DD in the browser's time zone (the date inputs' format). */
function localToday() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

$('commitment-valid-until').min = localToday();

$('commitment-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('commitment-error').textContent = '';
  successBox('commitment');
  const v = (id) => $(id).value.trim();
  const body = { reason: v('commitment-reason'), content: v('commitment-content') };
  const optional = { liability: 'commitment-liability', valid_until: 'commitment-valid-until', publicity: 'commitment-publicity' };
  for (const [k, id] of Object.entries(optional)) if (v(id)) body[k] = v(id);
  if (!body.reason) { formError('commitment', '请填写承诺事由。'); $('commitment-reason').focus(); return; }
  if (!body.content) { formError('commitment', '请填写承诺内容。'); $('commitment-content').focus(); return; }
  if ($('commitment-valid-until').validity.badInput) {
    formError('commitment', '有效期至不是有效的日期。'); $('commitment-valid-until').focus(); return;
  }
  if (body.valid_until && body.valid_until < localToday()) {
    formError('commitment', '有效期至不能早于今天。'); $('commitment-valid-until').focus(); return;
  }
  $('commitment-submit').disabled = true;
  try {
    const c = await call(`/subjects/${encodeURIComponent(code)}/commitments`, { method: 'POST', body });
    successBox('commitment', '信用承诺已作出。承诺编码：',
      el('strong', { id: 'commitment-number', class: 'code', 'data-testid': 'commitment-number' }, c.code),
      `；承诺类型：${c.type}；受理单位：${c.accepting_unit}；有效期至：${c.deadline || '未约定'}；公开类型：${c.publicity || '默认'}。`);
    $('commitment-form').reset();
    loadCommitments();
    loadRecords();
  } catch (err) {
    formError('commitment', err, { reason: 'commitment-reason', content: 'commitment-content', liability: 'commitment-liability',
                                   valid_until: 'commitment-valid-until', publicity: 'commitment-publicity' });
  } finally {
    $('commitment-submit').disabled = false;
  }
});

// ---- access log and checks ----------------------------------------------------------------

const ACTION_LABELS = { read: '查询', write: '写入', erase: '删除' };
const ROLE_LABELS = { operator: '市信用中心', source_department: '数源部门', using_department: '实施部门',
                      financial_institution: '金融机构', subject: '本人', lower_platform: '下级平台' };
const CHECK_RESULT_LABELS = { pass: '通过', pass_with_reward: '通过（适用激励措施）',
                              restricted: '受限（适用推荐性惩戒措施）', refused: '不予通过（适用强制性惩戒措施）' };

async function loadAccessLog() {
  const status = $('access-status');
  status.textContent = '正在加载…';
  try {
    const data = await call(`/subjects/${encodeURIComponent(code)}/access-log`, { query: { limit: 100 } });
    const list = data.entries || [];
    status.textContent = list.length ? `最近 ${list.length} 条。` : '暂无查询记录。';
    setChildren($('access-log'), list.length ? el('table', { class: 'data stack-sm' },
      el('caption', { class: 'visually-hidden' }, '查询记录'),
      el('thead', null, el('tr', null, ['时间', '查询方', '角色', '操作', '内容', '用途', '结果'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', null, list.map((x) => el('tr', { 'data-testid': 'access-entry' },
        el('td', { 'data-label': '时间' }, fmtDate(new Date(x.time).toISOString())),
        el('td', { 'data-label': '查询方' }, x.who),
        el('td', { 'data-label': '角色' }, ROLE_LABELS[x.role] || x.role),
        el('td', { 'data-label': '操作' }, ACTION_LABELS[x.action] || x.action),
        el('td', { 'data-label': '内容', class: 'mono' }, x.what),
        el('td', { 'data-label': '用途' }, x.purpose || '—'),
        el('td', { 'data-label': '结果' }, x.outcome))))) : null);
  } catch (err) {
    status.textContent = '加载失败：' + errorText(err);
  }
}

async function loadChecks() {
  const status = $('checks-status');
  status.textContent = '正在加载…';
  try {
    const data = await call(`/subjects/${encodeURIComponent(code)}/checks`, { query: { limit: 200 } });
    const list = data.checks || [];
    status.textContent = list.length ? `共 ${list.length} 次信用核查。` : '暂无信用核查记录。';
    const fb = (f) => (!f ? '未反馈' : `${f.action === 'applied' ? '已实施' : '未实施'}${f.reason ? '：' + f.reason : ''}`);
    setChildren($('my-checks'), list.length ? el('table', { class: 'data stack-sm' },
      el('caption', { class: 'visually-hidden' }, '信用核查记录'),
      el('thead', null, el('tr', null, ['时间', '核查部门', '应用场景', '用途', '结果', '措施', '反馈'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', null, list.map((c) => el('tr', { 'data-testid': 'check-entry' },
        el('td', { 'data-label': '时间' }, fmtDate(new Date(c.unix_ms).toISOString())),
        el('td', { 'data-label': '核查部门' }, c.department),
        el('td', { 'data-label': '应用场景' }, c.scenario),
        el('td', { 'data-label': '用途' }, c.purpose || '—'),
        el('td', { 'data-label': '结果' }, CHECK_RESULT_LABELS[c.result] || c.result),
        el('td', { 'data-label': '措施' }, (c.measures || []).join('；') || '—'),
        el('td', { 'data-label': '反馈' }, fb(c.feedback)))))) : null);
  } catch (err) {
    status.textContent = '加载失败：' + errorText(err);
  }
}

// ---- full report ---------------------------------------------------------------------------

$('my-report-download').addEventListener('click', async () => {
  const out = $('my-report-status');
  const btn = $('my-report-download');
  btn.disabled = true;
  out.className = '';
  out.textContent = '正在生成信用报告…';
  try {
    const res = await call(`/subjects/${encodeURIComponent(code)}/reports`,
      { method: 'POST', body: { kind: 'public', view: 'full', format: 'pdf' }, accept: 'response' });
    const number = res.headers.get('X-Report-Number') || '';
    downloadBlob(await res.blob(), `信用报告-${number || code}.pdf`);
    out.className = 'msg ok';
    setChildren(out, '完整信用报告已下载。报告编号：', el('strong', { class: 'code', 'data-testid': 'my-report-number' }, number), '。',
      number ? el('a', { href: '/verify.html?number=' + encodeURIComponent(number) }, '在线核验') : null);
  } catch (err) {
    out.className = 'msg error';
    out.textContent = '信用报告生成失败：' + errorText(err);
  } finally {
    btn.disabled = false;
  }
});

// ---- start ---------------------------------------------------------------------------------

async function enter() {
  $('login').hidden = true;
  $('me-app').hidden = false;
  $('me-code').textContent = code;
  $('me-public-link').href = '/subject.html?code=' + encodeURIComponent(code);
  try {
    catalog = await loadCatalog();
    const sel = $('records-category');
    setChildren(sel, el('option', { value: '' }, '全部'),
      catalog.raw.indicators.map((i) => el('option', { value: i.code }, i.name)));
  } catch (err) {
    $('records-status').textContent = '目录加载失败：' + errorText(err);
    return;
  }
  try {
    const p = await call(`/subjects/${encodeURIComponent(code)}`);
    $('me-name').textContent = p.subject.name;
    document.title = `我的信用 · ${p.subject.name} — 信用郑州`;
  } catch (err) {
    $('me-name').textContent = '（主体信息加载失败：' + errorText(err) + '）';
    if (!token) return;
  }
  if (!token) return;
  recordsPage = 1;
  loadRecords();
  loadApplications('objection');
  loadApplications('repair');
  loadDeclarations();
  loadCommitments();
  loadAccessLog();
  loadChecks();
}

token = getToken();
code = storedSubject();
if (token && code) enter();
else showLogin('');
