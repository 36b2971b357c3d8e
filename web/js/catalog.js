// The catalog of indicators (GET /api/v1/catalog), cached for the tab in sessionStorage, and
// the rendering of one record as a definition list with the catalog's Chinese field labels.
import { api, el, fmtDate } from './api.js';

const CACHE_KEY = 'xinyong.catalog.v1';

let loading = null;

function index(raw) {
  const byCode = new Map();
  for (const ind of raw.indicators || []) byCode.set(ind.code, ind);
  return { raw, byCode };
}

/** The catalog, from sessionStorage when this tab fetched it before. Throws ApiError. */
export function loadCatalog() {
  if (loading) return loading;
  loading = (async () => {
    try {
      const cached = sessionStorage.getItem(CACHE_KEY);
      if (cached) return index(JSON.parse(cached));
    } catch {
      // Unreadable cache or storage disabled: fetch it.
    }
    const raw = await api('/catalog');
    try {
      sessionStorage.setItem(CACHE_KEY, JSON.stringify(raw));
    } catch {
      // Storage full or disabled: keep it in memory only.
    }
    return index(raw);
  })();
  loading.catch(() => { loading = null; });
  return loading;
}

export const STATUS_LABELS = {
  active: '有效',
  superseded: '已更正（旧版本）',
  revoked: '已撤销',
  repaired: '已信用修复',
  expired: '公示期满',
};

export const DISCLOSURE_LABELS = {
  public: '社会公开',
  gov_shared: '政务共享',
  authorized: '授权查询',
};

export const SUBJECT_TYPE_LABELS = {
  legal_person: '法人',
  individual_business: '个体工商户',
  other_organization: '非法人组织',
  natural_person: '自然人',
};

/** The indicator's Chinese name, else the record's own, else the code. */
export function indicatorName(catalog, code, fallback) {
  const ind = catalog && catalog.byCode.get(code);
  return (ind && ind.name) || fallback || code;
}

/**
 * One record as an <article>: heading (indicator, document number), badges (status, objection,
 * self-declared, late), then every field in catalog order with its label; fields the catalog
 * does not know keep their code as label. `actions` are extra nodes (buttons) appended below.
 */
export function recordView(record, catalog, { actions = null, headingLevel = 3 } = {}) {
  const ind = catalog ? catalog.byCode.get(record.indicator) : null;
  const title = indicatorName(catalog, record.indicator, record.indicator_name);
  const badges = [];
  if (record.status && record.status !== 'active') {
    badges.push(el('span', { class: 'badge warn' }, STATUS_LABELS[record.status] || record.status));
  }
  if (record.under_objection) badges.push(el('span', { class: 'badge warn' }, record.objection_label || '异议处理中'));
  if (record.self_declared) badges.push(el('span', { class: 'badge info' }, record.source_label || '自主申报'));
  if (record.late) badges.push(el('span', { class: 'badge warn' }, '逾期报送'));
  if (record.disclosure && record.disclosure !== 'public') {
    badges.push(el('span', { class: 'badge info' }, DISCLOSURE_LABELS[record.disclosure] || record.disclosure));
  }

  const dl = el('dl', { class: 'fields' });
  const add = (label, value) => {
    if (value === undefined || value === null || value === '') return;
    dl.append(el('dt', null, label), el('dd', null, String(value)));
  };
  add('记录编号', record.id + (record.version > 1 ? `（第 ${record.version} 版）` : ''));
  if (record.decision_date) add('决定日期', record.decision_date);
  add('归集日期', fmtDate(record.received_date, { time: false }));
  const fields = record.fields || {};
  const seen = new Set();
  if (ind && Array.isArray(ind.fields)) {
    for (const f of ind.fields) {
      if (!(f.code in fields)) continue;
      seen.add(f.code);
      add(f.label || f.code, fields[f.code]);
    }
  }
  for (const [code, value] of Object.entries(fields)) {
    if (!seen.has(code)) add(code, value);
  }
  const h = el('h' + headingLevel, null, el('span', null, title),
    record.document_number ? el('span', { class: 'meta' }, record.document_number) : null);
  return el('article', { class: 'card record', 'data-testid': 'record', dataset: { recordId: String(record.id) } },
    h, badges.length ? el('p', { class: 'badges' }, badges) : null, dl,
    actions ? el('div', { class: 'actions' }, actions) : null);
}
