// The operator console (运营管理控制台): token login, the caller's role, the side navigation and
// hash routing (#batches, #batches/ID, #quality, #timeliness, #objections, #objections/ID,
// #repairs, #repairs/ID, #checks, #monitoring, #catalog, #catalog/CODE, #measures). Each section
// is an ES module exporting render(root, ctx); ctx = {token, role, param, query, navigate}.

import { api, ApiError, el, errorText, getToken, setToken, setChildren } from '/js/api.js';
import { disposeCharts, notice } from './ui.js';

// Which roles see each section in the navigation: the x-roles of its endpoint in
// docs/openapi.yaml, less the subject (a subject uses the portal's 我的信用, /me.html). A 403 at
// run time hides the item as well; a section opened by its hash still answers 无权访问 politely.
const SECTIONS = [
  { key: 'batches', label: '数据归集批次', module: './batches.js', roles: ['operator', 'source_department'] },
  { key: 'quality', label: '数据质量', module: './quality.js', roles: ['operator', 'source_department'] },
  { key: 'timeliness', label: '及时性', module: './timeliness.js', roles: ['operator', 'source_department'] },
  { key: 'objections', label: '异议处理', module: './objections.js', roles: ['operator', 'source_department'] },
  { key: 'repairs', label: '信用修复', module: './repairs.js', roles: ['operator', 'source_department'] },
  { key: 'checks', label: '核查统计', module: './checks.js', roles: ['operator', 'using_department'] },
  { key: 'monitoring', label: '城市监测', module: './monitoring.js', roles: ['operator'] },
  { key: 'catalog', label: '信息目录', module: './catalog.js', roles: null },
  { key: 'measures', label: '奖惩措施', module: './measures.js', roles: null },
];

const ROLE_LABELS = {
  operator: '平台运营（市信用中心）',
  source_department: '数源部门',
  using_department: '实施部门',
  financial_institution: '金融机构',
  subject: '信用主体',
  lower_platform: '下级平台',
};

const state = { token: null, role: null, hidden: new Set(), renderSeq: 0, flash: null };

const $ = (id) => document.getElementById(id);

function announce(text) {
  $('status').textContent = text;
}

/**
 * Finds the token's role without an operator-only call: GET /batches (operator, source
 * department) and GET /checks/stats (operator, using department) both succeed only for the
 * operator; a 403 names the caller's role in details.role. A 401 means the token is refused.
 */
async function detectRole(token) {
  const probe = async (path) => {
    try {
      await api(path, { token });
      return { ok: true };
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return { ok: false, err: e };
      throw e;
    }
  };
  const batches = await probe('/batches?limit=1');
  if (!batches.ok && batches.err.status === 401) throw batches.err;
  if (!batches.ok) return (batches.err.details && batches.err.details.role) || 'unknown';
  const checks = await probe('/checks/stats');
  if (checks.ok) return 'operator';
  if (checks.err.status === 401) throw checks.err;
  return (checks.err.details && checks.err.details.role) || 'source_department';
}

function buildNav() {
  const list = $('nav-list');
  list.replaceChildren();
  for (const s of SECTIONS) {
    const allowed = !s.roles || s.roles.includes(state.role);
    const hidden = !allowed || state.hidden.has(s.key);
    const a = el('a', { href: '#' + s.key, id: 'nav-' + s.key, 'data-testid': 'nav-' + s.key,
                        'data-section': s.key }, s.label);
    list.append(el('li', { hidden }, a));
  }
  markCurrent();
}

function markCurrent() {
  const { section } = parseHash();
  for (const a of document.querySelectorAll('#nav-list a')) {
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

/** Hides a section's nav item after its endpoint answered 403 (called by the sections). */
function hideSection(key) {
  if (state.role === 'operator') return;
  state.hidden.add(key);
  const a = $('nav-' + key);
  if (a && a.parentElement) a.parentElement.hidden = true;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '');
  const at = raw.indexOf('?');
  const pathPart = at < 0 ? raw : raw.slice(0, at);
  const queryPart = at < 0 ? '' : raw.slice(at + 1);
  let path;
  try {
    path = decodeURIComponent(pathPart);
  } catch {
    path = pathPart;
  }
  const [section = '', ...rest] = path.split('/');
  return { section, param: rest.join('/') || null, query: new URLSearchParams(queryPart) };
}

function defaultSection() {
  const first = SECTIONS.find((s) => (!s.roles || s.roles.includes(state.role)) && !state.hidden.has(s.key));
  return first ? first.key : 'catalog';
}

async function route() {
  if (!state.token) return;
  const { section, param, query } = parseHash();
  const def = SECTIONS.find((s) => s.key === section);
  if (!def) {
    location.replace('#' + defaultSection());
    return;
  }
  markCurrent();
  disposeCharts();
  const seq = ++state.renderSeq;
  const root = $('view');
  setChildren(root, el('p', { className: 'loading' }, '正在加载…'));
  announce('正在加载' + def.label + '…');
  try {
    const mod = await import(def.module);
    if (seq !== state.renderSeq) return;
    const view = el('div', { className: 'view-body', 'data-testid': 'view-' + def.key });
    const ctx = {
      token: state.token, role: state.role, param, query, section: def.key,
      navigate: (hash) => { location.hash = hash; },
      forbidden: () => hideSection(def.key),
      isCurrent: () => seq === state.renderSeq,
      refresh: () => { route().catch((e) => announce(errorText(e))); },
      announce,
      // A message to keep across the next render (e.g. a step's result before ctx.refresh()).
      flash: (text) => { state.flash = text; },
      peekFlash: () => state.flash,  // cleared once the view is shown
    };
    await mod.render(view, ctx);
    if (seq !== state.renderSeq) return;
    root.replaceChildren(view);
    document.title = def.label + ' — 运营管理控制台';
    announce(state.flash || def.label + '已加载');
    state.flash = null;
    const h = $('view-title');
    if (h && document.activeElement && document.activeElement.closest &&
        document.activeElement.closest('#side-nav')) {
      h.focus();
    }
  } catch (e) {
    if (seq !== state.renderSeq) return;
    state.flash = null;
    if (e instanceof ApiError && e.status === 401) {
      logout('令牌已失效或无效，请重新登录。' + e.message);
      return;
    }
    setChildren(root, notice('error', errorText(e)));
    announce('加载失败');
  }
}

function showLoggedIn() {
  $('login-panel').hidden = true;
  $('console').hidden = false;
  $('session').hidden = false;
  $('role-label').textContent = ROLE_LABELS[state.role] || state.role;
  const warn = $('role-notice');
  if (state.role !== 'operator' && state.role !== 'source_department' && state.role !== 'using_department') {
    warn.hidden = false;
    setChildren(warn, '本控制台供市信用中心和政府部门使用；当前角色只能浏览信息目录和奖惩措施。',
      state.role === 'subject' ? ['信用主体请在', el('a', { href: '/me.html' }, '「我的信用」'), '页面办理异议和信用修复。'] : null);
  } else {
    warn.hidden = true;
  }
  buildNav();
}

function logout(message) {
  setToken(null);
  state.token = null;
  state.role = null;
  state.hidden.clear();
  disposeCharts();
  $('view').replaceChildren();
  $('console').hidden = true;
  $('session').hidden = true;
  $('login-panel').hidden = false;
  $('login-error').textContent = message || '';
  $('token-input').value = '';
  $('token-input').focus();
  announce(message ? '' : '已退出登录');
}

async function login(token) {
  $('login-error').textContent = '';
  announce('正在验证令牌…');
  try {
    state.role = await detectRole(token);
  } catch (e) {
    $('login-panel').hidden = false;
    if (e instanceof ApiError && e.status === 401) {
      setToken(null);
      $('login-error').textContent = '令牌无效：' + e.message;
    } else {
      $('login-error').textContent = errorText(e);
    }
    announce('登录失败');
    return false;
  }
  state.token = token;
  setToken(token);
  showLoggedIn();
  announce('已登录：' + (ROLE_LABELS[state.role] || state.role));
  if (!location.hash || !SECTIONS.some((s) => s.key === parseHash().section)) {
    location.replace('#' + defaultSection());  // hashchange renders it
    return true;
  }
  await route();
  return true;
}

function init() {
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) {
      $('login-error').textContent = '请粘贴令牌。';
      return;
    }
    const btn = $('login-submit');
    if (btn.disabled) return;
    btn.disabled = true;
    login(token).catch((e) => { $('login-error').textContent = errorText(e); })
      .finally(() => { btn.disabled = false; });
  });
  $('logout').addEventListener('click', () => logout());
  window.addEventListener('hashchange', () => { route().catch((e) => announce(errorText(e))); });
  const saved = getToken();
  if (saved) {
    login(saved).catch((e) => { $('login-error').textContent = errorText(e); });
  } else {
    $('login-panel').hidden = false;
  }
}

init();
