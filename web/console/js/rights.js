// The objection (异议) and credit-repair (信用修复) queues and one application with its history,
// shared by objections.js and repairs.js: GET /api/v1/{objections|repairs} (state, overdue, open,
// page, page_size) and GET /api/v1/{…}/{id}; the steps the API offers, each after a confirmation:
// objections forward / verify / answer, repairs accept / refuse / extend / decide
// (POST /api/v1/{…}/{id}:step). Overdue steps are written out, not only coloured.

import { api, el, errorText } from '/js/api.js';
import { confirmDialog, errorNotice, field, heading, isForbidden, notice, num, pager, select, table } from './ui.js';

const KINDS = {
  objection: {
    path: 'objections', listKey: 'objections', title: '异议处理', noun: '异议',
    states: [['submitted', '已提交'], ['forwarded', '已转交'], ['verified', '已核实'], ['answered', '已答复'],
             ['withdrawn', '已撤回']],
  },
  repair: {
    path: 'repairs', listKey: 'repairs', title: '信用修复', noun: '修复申请',
    states: [['applied', '已申请'], ['accepted', '已受理'], ['refused', '不予受理'], ['repaired', '已修复'],
             ['denied', '不予修复'], ['withdrawn', '已撤回']],
  },
};

const STEP_LABELS = {
  forward: '转交数源部门', verify: '部门核实答复', notify: '告知申请人', overall: '整体办结', accept: '受理',
  decide: '修复决定',
};

const ACTION_LABELS = {
  file: '提交异议', forward: '转交', verify: '核实答复', answer: '书面答复', apply: '申请修复', accept: '受理',
  refuse: '不予受理', extend: '延长办理期限', decide: '作出决定', withdraw: '撤回',
};

const OUTCOME_LABELS = {
  upheld_correct: '异议成立，更正记录', upheld_revoke: '异议成立，撤销记录', rejected: '异议不成立',
  repaired: '准予修复', denied: '不予修复',
};

/** The overdue marker: text (and colour), so it does not rely on colour alone. */
export function overdueMarker(a, testid) {
  if (a.overdue) {
    const steps = (a.overdue_steps || []).map((s) => STEP_LABELS[s] || s).join('、');
    return el('span', { className: 'overdue-marker', 'data-testid': testid, 'data-overdue': 'true' },
              '⚠ 已逾期' + (steps ? '：' + steps : ''));
  }
  return el('span', { className: 'ontime-marker', 'data-testid': testid, 'data-overdue': 'false' },
            a.open ? '未逾期' : '已办结');
}

const day = (d) => (d ? el('span', { className: 'nowrap' }, d) : '—');

function deadlineText(a) {
  if (a.deadline) {
    return [day(a.deadline), a.deadline_step ? '（' + (STEP_LABELS[a.deadline_step] || a.deadline_step) + '）' : ''];
  }
  if (a.deadline_note) return '无法计算：' + a.deadline_note;
  return a.open ? '—' : '已办结';
}

/** Renders the queue or, with ctx.param, one application. kind: 'objection' | 'repair'. */
export async function renderRights(root, ctx, kind) {
  if (ctx.param) return renderOne(root, ctx, kind, ctx.param);
  const k = KINDS[kind];
  const q = ctx.query;
  const stateValue = k.states.some(([v]) => v === q.get('state')) ? q.get('state') : '';
  const overdue = q.get('overdue') === 'true';
  const open = q.get('open') === 'true';
  const page = Math.max(1, parseInt(q.get('page') || '1', 10) || 1);
  const pageSize = 20;
  root.append(...heading(k.title + '队列',
    ctx.role === 'source_department'
      ? '转交本部门或由本部门决定的' + k.noun + '，最新在前；逾期的步骤单独标出。'
      : '全部' + k.noun + '，最新在前；逾期的步骤单独标出。'));
  const form = el('form', { className: 'filters', id: kind + '-filters', 'data-testid': kind + '-filters',
                            'aria-label': '筛选' + k.noun },
    field(kind + '-state', '状态', select('state', [['', '全部状态'], ...k.states], stateValue)),
    el('p', { className: 'field' }, el('label', null,
      el('input', { type: 'checkbox', name: 'overdue', value: 'true', id: kind + '-overdue-only', checked: overdue }),
      ' 只看逾期')),
    el('p', { className: 'field' }, el('label', null,
      el('input', { type: 'checkbox', name: 'open', value: 'true', id: kind + '-open-only', checked: open }),
      ' 只看未办结')),
    el('button', { type: 'submit' }, '筛选'));
  const go = (p) => {
    const fd = new FormData(form);
    const next = new URLSearchParams();
    for (const key of ['state', 'overdue', 'open']) {
      const v = fd.get(key);
      if (v) next.set(key, v);
    }
    if (p > 1) next.set('page', String(p));
    const s = next.toString();
    ctx.navigate('#' + k.path + (s ? '?' + s : ''));
  };
  form.addEventListener('submit', (event) => { event.preventDefault(); go(1); });
  root.append(form);

  let data;
  try {
    data = await api('/' + k.path, { token: ctx.token,
      query: { state: stateValue, overdue: overdue ? 'true' : '', open: open ? 'true' : '', page, page_size: pageSize } });
  } catch (e) {
    if (isForbidden(e)) ctx.forbidden();
    root.append(errorNotice(e, k.title + '队列'));
    return;
  }
  const items = data[k.listKey] || [];
  root.append(el('p', { className: 'lead' }, '期限按 ' + (data.as_of || '今日') + ' 判断；共 ' + num(data.total) + ' 件' +
    (items.some((a) => a.overdue) ? '，本页有 ' + items.filter((a) => a.overdue).length + ' 件逾期' : '') + '。'));
  root.append(table([
    { label: '编号', testid: kind + '-id',
      value: (a) => el('a', { href: '#' + k.path + '/' + a.id, 'data-testid': kind + '-link' }, '#' + a.id) },
    { label: '主体', value: (a) => [a.subject ? a.subject.name : '', el('br'),
                                   el('span', { className: 'server-message' }, a.subject ? a.subject.code : '')] },
    { label: '记录', value: (a) => a.record ? (a.record.indicator_name || a.record.indicator) + ' ' +
                                             (a.record.document_number || '') : '—' },
    { label: '提交日期', value: (a) => day(a.filed) },
    { label: '状态', testid: kind + '-state', value: (a) => a.state_label || a.state },
    { label: '当前期限', testid: kind + '-deadline', value: (a) => deadlineText(a) },
    kind === 'objection' ? { label: '整体期限', value: (a) => day(a.overall_deadline) } : null,
    { label: '是否逾期', testid: kind + '-overdue', value: (a) => overdueMarker(a, kind + '-overdue-marker') },
    { label: kind === 'objection' ? '转交部门' : '决定机关', value: (a) => a.department || '—' },
  ].filter(Boolean), items, {
    caption: k.title + '队列', testid: kind + '-queue', id: kind + '-queue', rowTestid: kind + '-row', stack: true,
    rowAttrs: (a) => ({ 'data-id': String(a.id), 'data-overdue': a.overdue ? 'true' : 'false',
                        className: a.overdue ? 'is-overdue' : null }),
    empty: '没有符合条件的' + k.noun,
  }));
  if ((data.total || 0) > pageSize || page > 1) {
    root.append(pager({ page, pageSize, total: data.total, onPage: go, testid: kind + '-pager' }));
  }
}

async function renderOne(root, ctx, kind, idText) {
  const k = KINDS[kind];
  root.append(el('p', null, el('a', { href: '#' + k.path }, '← 返回' + k.title + '队列')));
  if (!/^[1-9][0-9]{0,17}$/.test(idText)) {
    root.append(...heading(k.noun), notice('error', '编号应为正整数：' + idText));
    return;
  }
  let a;
  try {
    a = await api('/' + k.path + '/' + idText, { token: ctx.token });
  } catch (e) {
    root.append(...heading(k.noun + ' #' + idText));
    if (isForbidden(e)) ctx.forbidden();
    root.append(errorNotice(e, '该' + k.noun));
    return;
  }
  root.append(...heading((a.kind_label || k.noun) + ' #' + a.id));
  root.append(el('p', { 'data-testid': 'application-overdue' }, overdueMarker(a, kind + '-detail-overdue')));
  const facts = el('dl', { className: 'facts', id: 'application-facts', 'data-testid': 'application-facts' },
    ...fact('状态', (a.state_label || a.state) + '（' + a.state_since + ' 起）'),
    ...fact('主体', a.subject ? a.subject.name + '（' + a.subject.code + '）' : '—'),
    ...fact('记录', a.record ? (a.record.indicator_name || a.record.indicator) + '，' + (a.record.document_number || '无文号') +
      (a.record.decision_date ? '，决定日期 ' + a.record.decision_date : '') + '（记录 ' + a.record.id + '，第 ' +
      a.record.version + ' 版）' : '—'),
    ...fact('提交日期', a.filed + (a.on_behalf ? '（信用中心代为提交）' : '')),
    ...fact('当前期限', deadlineText(a)),
    ...(kind === 'objection' ? fact('整体期限', a.overall_deadline || '—') : []),
    ...fact(kind === 'objection' ? '转交部门' : '决定机关', a.department || '—'),
    ...fact('可答复部门', (a.departments || []).join('、') || '—'),
    ...fact(kind === 'objection' ? '异议理由' : '整改说明', a.reason || '—'),
    ...fact('证明材料', (a.evidence || []).join('、') || '—'),
    ...(a.outcome ? fact('结论', OUTCOME_LABELS[a.outcome] || a.outcome) : []),
    ...(a.answer ? fact('部门答复 / 决定理由', a.answer) : []),
    ...(a.reply ? fact('书面答复', a.reply) : []),
    ...(kind === 'repair' ? fact('信用修复承诺', a.commitment || '—') : []),
    ...(kind === 'repair' ? fact('延长期限', a.extended ? '已延长（复杂情形）' : '否') : []));
  root.append(facts);

  const actions = actionsFor(kind, a, ctx.role);
  if (actions.length) {
    root.append(el('h3', null, '办理'));
    const status = el('p', { role: 'status', 'aria-live': 'polite', id: 'action-status', 'data-testid': 'action-status' });
    const flash = ctx.peekFlash();
    if (flash) status.textContent = flash;
    root.append(el('div', { className: 'actions', id: 'application-actions', 'data-testid': 'application-actions' },
      actions.map((act) => el('button', { type: 'button', id: 'action-' + act.step, 'data-testid': 'action-' + act.step,
        className: act.primary ? 'primary' : null,
        onclick: () => runAction(ctx, k, a, act, status) }, act.label))), status);
  }

  if (kind === 'repair' && (a.conditions || []).length) {
    root.append(el('h3', null, '修复条件'));
    root.append(table([
      { label: '条件', value: (c) => c.label },
      { label: '是否满足', value: (c) => (c.met ? '✓ 满足' : '✗ 不满足') },
      { label: '说明', value: (c) => c.detail },
    ], a.conditions, { caption: '修复条件核验', testid: 'repair-conditions' }));
  }

  root.append(el('h3', null, '办理过程'));
  root.append(el('ol', { className: 'history', 'data-testid': 'application-history', id: 'application-history' },
    (a.history || []).map((h) => el('li', null,
      el('strong', null, (ACTION_LABELS[h.action] || h.action) + ' → ' + (h.to_label || h.to)),
      ' ', h.day, '，', h.actor || h.role, h.department ? '（' + h.department + '）' : '',
      h.reason ? el('div', null, '理由：' + h.reason) : null,
      h.outcome ? el('div', null, '结论：' + (OUTCOME_LABELS[h.outcome] || h.outcome)) : null,
      (h.documents || []).length ? el('div', null, '材料：' + h.documents.join('、')) : null,
      Object.keys(h.corrections || {}).length
        ? el('div', null, '更正：' + Object.entries(h.corrections).map(([f, v]) => f + ' = ' + v).join('；')) : null,
      (h.effects || []).length ? el('ul', null, h.effects.map((x) => el('li', null, x))) : null))));
}

/** The steps the caller may take now (the server checks again and answers 403/409 otherwise). */
function actionsFor(kind, a, role) {
  const operator = role === 'operator';
  const source = role === 'source_department';
  const out = [];
  if (!a.open) return out;
  const deptField = operator
    ? [{ name: 'department', label: '代为记录的部门', type: 'select',
         options: (a.department ? [a.department] : []).concat((a.departments || []).filter((d) => d !== a.department))
           .map((d) => ({ value: d, label: d })) }]
    : [];
  if (kind === 'objection') {
    if (operator && a.state === 'submitted') {
      out.push({ step: 'forward', label: '转交数源部门', primary: true, confirm: '确认将异议转交给所选部门核实？',
        fields: [{ name: 'department', label: '转交部门', type: 'select',
                   options: (a.departments || []).map((d) => ({ value: d, label: d })) },
                 { name: 'reason', label: '转交说明', type: 'textarea' }] });
    }
    if ((operator || source) && a.state === 'forwarded') {
      out.push({ step: 'verify', label: '录入核实答复', primary: true, confirm: '核实结论立即生效（更正或撤销会影响公示、核查和名单）。确认提交？',
        fields: [...deptField,
          { name: 'outcome', label: '核实结论', type: 'select', required: true, options: [
            { value: 'rejected', label: OUTCOME_LABELS.rejected },
            { value: 'upheld_revoke', label: OUTCOME_LABELS.upheld_revoke },
            { value: 'upheld_correct', label: OUTCOME_LABELS.upheld_correct }] },
          { name: 'corrections', label: '更正内容（仅“更正记录”：每行一项，字段代码=更正后的值）', type: 'textarea' },
          { name: 'reason', label: '答复意见及理由', type: 'textarea', required: true }] });
    }
    if (operator && a.state === 'verified') {
      out.push({ step: 'answer', label: '书面答复申请人', primary: true, confirm: '书面答复后异议办结。确认提交？',
        fields: [{ name: 'reason', label: '书面答复（含理由）', type: 'textarea', required: true,
                   value: a.answer || '' }] });
    }
  } else {
    if (operator && a.state === 'applied') {
      out.push({ step: 'accept', label: '受理', primary: true, confirm: '确认受理该修复申请？（受理时将再次核验修复条件）',
        fields: [{ name: 'reason', label: '受理说明', type: 'textarea' }] });
      out.push({ step: 'refuse', label: '不予受理', confirm: '确认不予受理？申请人将收到理由。',
        fields: [{ name: 'reason', label: '不予受理的理由', type: 'textarea', required: true }] });
    }
    if ((operator || source) && a.state === 'accepted') {
      if (!a.extended) {
        out.push({ step: 'extend', label: '延长办理期限', confirm: '复杂情形可延长一次（10 个工作日）。确认延长？',
          fields: [...deptField, { name: 'reason', label: '延长理由', type: 'textarea', required: true }] });
      }
      out.push({ step: 'decide', label: '作出修复决定', primary: true, confirm: '准予修复后，该记录不再公示、共享和使用。确认提交？',
        fields: [...deptField,
          { name: 'outcome', label: '决定', type: 'select', required: true, options: [
            { value: 'repaired', label: OUTCOME_LABELS.repaired }, { value: 'denied', label: OUTCOME_LABELS.denied }] },
          { name: 'reason', label: '理由（不予修复时必填）', type: 'textarea' }] });
    }
  }
  return out;
}

async function runAction(ctx, k, a, act, status) {
  const values = await confirmDialog({ title: act.label + '：' + k.noun + ' #' + a.id, message: act.confirm,
                                       confirmLabel: '确认' + act.label, fields: act.fields });
  if (!values) {
    status.textContent = '已取消';
    return;
  }
  const body = {};
  if (values.reason) body.reason = values.reason;
  if (values.department) body.department = values.department;
  if (values.outcome) body.outcome = values.outcome;
  if (values.corrections && values.outcome === 'upheld_correct') {
    const corrections = {};
    for (const line of values.corrections.split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) corrections[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    body.corrections = corrections;
  }
  status.textContent = '正在提交…';
  // No second POST while this one is on its way (a double click would answer 409).
  const buttons = [...document.querySelectorAll('#application-actions button')];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const updated = await api('/' + k.path + '/' + a.id + ':' + act.step, { method: 'POST', token: ctx.token, body });
    status.textContent = act.label + '成功，当前状态：' + ((updated && updated.state_label) || '已更新');
    ctx.flash(status.textContent);
    ctx.refresh();
  } catch (e) {
    status.textContent = act.label + '失败：' + errorText(e);
    buttons.forEach((b) => { b.disabled = false; });
  }
}

function fact(label, value) {
  return [el('dt', null, label), el('dd', null, value === null || value === undefined || value === '' ? '—' : value)];
}
