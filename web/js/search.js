// search.html?q=&type=&page=: one page of GET /api/v1/search, the query highlighted in names
// and codes (built as text nodes and <mark> elements), a type filter and a pager.
import { api, el, errorText, qs, setChildren } from './api.js';
import { pager } from './pager.js';
import { SUBJECT_TYPE_LABELS } from './catalog.js';

const PAGE_SIZE = 20;
const MAX_DEPTH = 5000;  // the API pages through the first 5,000 results only
const form = document.getElementById('search');
const input = document.getElementById('q');
const typeSel = document.getElementById('type');
const statusEl = document.getElementById('status');
const list = document.getElementById('results');
const pagerBox = document.getElementById('pager');

const MATCH_LABELS = {
  code: '代码匹配',
  name: '名称匹配',
  former_name: '曾用名匹配',
  pinyin_initials: '拼音首字母匹配',
  pinyin: '拼音匹配',
  personal_id: '证件号码匹配',
};

/** Text with every case-insensitive occurrence of one of `needles` wrapped in <mark>. */
export function highlight(text, needles) {
  const s = String(text ?? '');
  const lower = s.toLowerCase();
  const cands = [...new Set(needles.filter((n) => n && n.length > 0).map((n) => n.toLowerCase()))];
  const out = [];
  let i = 0;
  let plain = '';
  while (i < s.length) {
    let hit = '';
    for (const n of cands) {
      if (n.length > hit.length && lower.startsWith(n, i)) hit = n;
    }
    if (hit) {
      if (plain) out.push(plain);
      plain = '';
      out.push(el('mark', null, s.slice(i, i + hit.length)));
      i += hit.length;
    } else {
      plain += s[i];
      i += 1;
    }
  }
  if (plain) out.push(plain);
  return out;
}

function state() {
  const page = Number.parseInt(qs('page') || '1', 10);
  return {
    q: (qs('q') || '').trim(),
    // A type the filter does not offer (a hand-edited address) is no filter.
    type: [...typeSel.options].some((o) => o.value === qs('type')) ? qs('type') : '',
    page: Number.isFinite(page) && page >= 1 ? page : 1,
  };
}

function go(s, push = true) {
  const p = new URLSearchParams();
  p.set('q', s.q);
  if (s.type) p.set('type', s.type);
  if (s.page > 1) p.set('page', String(s.page));
  const url = '?' + p.toString();
  if (push) history.pushState(null, '', url);
  run();
}

function hitItem(hit, needles) {
  const link = el('a', { class: 'name', href: '/subject.html?code=' + encodeURIComponent(hit.code),
                         'data-testid': 'result-link' }, highlight(hit.name, needles));
  const meta = el('div', { class: 'meta' },
    el('span', { class: 'code' }, highlight(hit.code, needles)),
    ' · ', SUBJECT_TYPE_LABELS[hit.type] || hit.type,
    hit.status ? ' · ' + hit.status : null,
    ' · ', MATCH_LABELS[hit.match] || hit.match);
  const former = hit.matched_name
    ? el('div', { class: 'meta', 'data-testid': 'former-name' }, '曾用名：', highlight(hit.matched_name, needles))
    : null;
  return el('li', { 'data-testid': 'result' }, link, former, meta);
}

let seq = 0;
async function run() {
  const s = state();
  input.value = s.q;
  typeSel.value = s.type;
  list.replaceChildren();
  pagerBox.replaceChildren();
  const mine = ++seq;  // a query still in flight no longer shows its answer
  if (!s.q) {
    list.removeAttribute('aria-busy');
    statusEl.textContent = '请输入主体名称、统一社会信用代码或拼音首字母。';
    return;
  }
  statusEl.textContent = '正在查询…';
  list.setAttribute('aria-busy', 'true');  // until this query's answer (or error) is shown
  try {
    const data = await api('/search', { query: { q: s.q, type: s.type, page: s.page, limit: PAGE_SIZE } });
    if (mine !== seq) return;
    // The API masks anything shaped like a resident ID number in `query`: echo that, not the input.
    document.title = `“${data.query}”的查询结果 — 信用郑州`;
    const needles = [s.q, data.normalized, data.query];
    const total = data.total;
    if (!data.results.length) {
      statusEl.textContent = total > 0 ? `本页没有结果（共 ${total} 条）。` : `没有找到与“${data.query}”匹配的主体。`;
    } else {
      statusEl.textContent = `共 ${total}${data.total_exact ? '' : '+'} 条结果，第 ${data.page} 页。`;
    }
    setChildren(list, data.results.map((h) => hitItem(h, needles)));
    if (total > PAGE_SIZE || s.page > 1) {
      const deep = total > MAX_DEPTH;  // pages beyond the first 5,000 results are not offered
      pagerBox.append(pager({
        page: data.page, pageSize: data.limit, total: Math.min(total, MAX_DEPTH),
        totalExact: data.total_exact && !deep,
        hasMore: data.results.length === data.limit && data.page * data.limit < MAX_DEPTH,
        label: '查询结果分页',
        onPage: (p) => { go({ ...s, page: p }); statusEl.scrollIntoView({ block: 'nearest' }); },
      }));
    }
  } catch (err) {
    if (mine !== seq) return;
    statusEl.textContent = '查询失败：' + errorText(err);
  } finally {
    if (mine === seq) list.removeAttribute('aria-busy');
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const q = input.value.trim();
  if (!q) {
    input.focus();
    return;
  }
  go({ q, type: typeSel.value, page: 1 });
});
typeSel.addEventListener('change', () => {
  const q = input.value.trim();
  if (q) go({ q, type: typeSel.value, page: 1 });
});
window.addEventListener('popstate', run);
run();
