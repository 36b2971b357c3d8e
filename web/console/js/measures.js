// 奖惩措施: the loaded measure list (GET /api/v1/measures?scenario=&kind=, public) with its
// scenarios, legal basis, implementing body and trigger.

import { api, ApiError, el } from '/js/api.js';
import { errorNotice, field, heading, notice, select, table } from './ui.js';

const KIND = { reward: '激励', punishment: '惩戒' };
const TARGET = { entity: '单位', natural_person: '自然人', legal_representative: '法定代表人',
                 responsible_persons: '主要负责人及直接责任人员' };
const SEVERITY = { minor: '轻微', general: '一般', serious: '严重' };
const NATURE = { positive: '正面', neutral: '中性', negative: '负面' };

export async function render(root, ctx) {
  root.append(...heading('奖惩措施', '联合奖惩措施清单：每项措施都有法律依据，核查时按应用场景匹配。'));
  const scenario = ctx.query.get('scenario') || '';
  const kind = ['reward', 'punishment'].includes(ctx.query.get('kind')) ? ctx.query.get('kind') : '';
  let data;
  try {
    data = await api('/measures', { token: ctx.token, query: { scenario, kind } });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && e.code === 'not_found' && !scenario) {
      root.append(notice('warn', '本服务器尚未提供措施清单接口（GET /api/v1/measures）。'),
                  el('p', { className: 'server-message' }, e.message));
      return;
    }
    if (e instanceof ApiError && e.status === 400) {
      root.append(errorNotice(e, '措施清单'), el('p', null, el('a', { href: '#measures' }, '清除筛选条件')));
      return;
    }
    root.append(errorNotice(e, '措施清单'));
    return;
  }
  const scenarios = data.scenarios || [];
  const names = Object.fromEntries(scenarios.map((s) => [s.code, s.name]));
  const form = el('form', { className: 'filters', id: 'measure-filters', 'data-testid': 'measure-filters',
                            'aria-label': '筛选措施' },
    field('measure-scenario', '应用场景', select('scenario', [['', '全部场景'], ...scenarios.map((s) => [s.code, s.name])], scenario)),
    field('measure-kind', '类别', select('kind', [['', '全部'], ['punishment', '惩戒'], ['reward', '激励']], kind)),
    el('button', { type: 'submit' }, '筛选'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const fd = new FormData(form);
    const q = new URLSearchParams();
    for (const k of ['scenario', 'kind']) if (fd.get(k)) q.set(k, fd.get(k));
    ctx.navigate('#measures' + (q.toString() ? '?' + q.toString() : ''));
  });
  root.append(form);
  const measures = data.measures || [];
  root.append(table([
    { label: '措施', value: (m) => [el('span', { className: 'badge badge-' + m.kind }, m.kind_label || KIND[m.kind] || m.kind),
                                   ' ', m.content, m.category_label ? el('div', { className: 'server-message' }, m.category_label) : null] },
    { label: '代码', value: (m) => el('code', null, m.code) },
    { label: '对象', value: (m) => (m.targets || (m.target ? [m.target] : [])).map((t) => TARGET[t] || t).join('、') },
    { label: '性质', value: (m) => (m.mandatory ? '强制性' : '推荐性') },
    { label: '法律依据', value: (m) => m.legal_basis },
    { label: '实施部门', value: (m) => m.implementing_body },
    { label: '应用场景', value: (m) => (m.scenarios || []).map((s) => names[s] || s).join('、') },
    { label: '触发条件', value: (m) => triggerText(m.trigger) },
  ], measures, { caption: '措施（' + measures.length + ' 项）', testid: 'measure-table', id: 'measure-table',
                 rowTestid: 'measure-row', stack: true, rowAttrs: (m) => ({ 'data-code': m.code }), empty: '没有符合条件的措施' }));
}

/**
 * The trigger as loaded (data/measures/README.md "Triggers"): its type's label, then its keys in
 * words; unknown keys are shown as they are.
 */
function triggerText(trigger) {
  if (trigger === null || trigger === undefined) return '—';
  if (typeof trigger !== 'object') return String(trigger);
  const parts = [trigger.label || trigger.type];
  for (const [k, v] of Object.entries(trigger)) {
    if (k === 'type' || k === 'label' || v === null || v === undefined || v === '') continue;
    if (Array.isArray(v) && !v.length) continue;
    const list = Array.isArray(v) ? v : [v];
    if (k === 'indicator') parts.push('信息项 ' + v);
    else if (k === 'window_days') parts.push('近 ' + v + ' 天内');
    else if (k === 'min_count') parts.push('至少 ' + v + ' 条');
    else if (k === 'severities' || k === 'severity') parts.push('严重程度 ' + list.map((x) => SEVERITY[x] || x).join('、'));
    else if (k === 'nature') parts.push('性质 ' + (NATURE[v] || v));
    else if (k === 'grades') parts.push('评价等级 ' + list.join('、'));
    else parts.push(k + ' ' + list.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join('、'));
  }
  return parts.filter(Boolean).join('；');
}
