// 核查统计: credit checks (信用核查) and their feedback by using department and by scenario
// (GET /api/v1/checks/stats), as tables and bar charts. Scenario names come from the public
// measure list (GET /api/v1/measures) when it answers; otherwise the codes are shown.

import { api, el } from '/js/api.js';
import { barOption, chart, chartsNotice, errorNotice, heading, isForbidden, num, table } from './ui.js';

const RESULT_LABELS = { pass: '通过', pass_with_reward: '通过（激励）', restricted: '受限（推荐性惩戒）', refused: '不予通过（强制性惩戒）', error: '出错' };

export async function render(root, ctx) {
  root.append(...heading('核查统计',
    ctx.role === 'using_department' ? '本部门的信用核查次数、反馈与应用情况。' : '各实施部门、各应用场景的信用核查次数、反馈与应用情况。'));
  let stats;
  try {
    stats = await api('/checks/stats', { token: ctx.token });
  } catch (e) {
    if (isForbidden(e)) ctx.forbidden();
    root.append(errorNotice(e, '核查统计'));
    return;
  }
  const names = await scenarioNames(ctx);
  const t = stats.total || {};
  root.append(el('ul', { className: 'cards', 'aria-label': '核查总体情况', 'data-testid': 'checks-cards' },
    card('核查次数', t.checks), card('已反馈', t.feedback), card('已应用措施', t.applied), card('未应用措施', t.not_applied),
    ...Object.entries(t.by_result || {}).map(([r, n]) => card('结果：' + (RESULT_LABELS[r] || r), n))));

  const depts = Object.entries(stats.by_department || {}).sort((a, b) => b[1].checks - a[1].checks);
  const scenarios = Object.entries(stats.by_scenario || {}).sort((a, b) => b[1].checks - a[1].checks);
  const results = [...new Set([...depts, ...scenarios].flatMap(([, c]) => Object.keys(c.by_result || {})))].sort();
  const scenarioLabel = (code) => (names[code] ? names[code] + '（' + code + '）' : code);
  const notice = chartsNotice();
  if (notice) root.append(notice);
  const h = (n) => Math.max(160, 32 * n + 70);
  const resultSeries = (rows) => results.map((r) => ({ name: RESULT_LABELS[r] || r,
                                                        data: rows.map(([, c]) => (c.by_result || {})[r] || 0) }));
  root.append(el('div', { className: 'charts' },
    chart('chart-checks-scenario', '按应用场景的核查次数（按结果）',
      barOption(scenarios.map(([code]) => names[code] || code), resultSeries(scenarios), { stack: true }),
      { height: h(scenarios.length), label: '各应用场景核查次数条形图，数据见下表' }),
    chart('chart-checks-department', '按实施部门的核查次数（按结果）',
      barOption(depts.map(([d]) => d), resultSeries(depts), { stack: true }),
      { height: h(depts.length), label: '各实施部门核查次数条形图，数据见下表' })));

  const columns = (first) => [
    { label: first, value: (row) => row[0] },
    { label: '核查次数', numeric: true, value: (row) => num(row[1].checks) },
    ...results.map((r) => ({ label: RESULT_LABELS[r] || r, numeric: true, value: (row) => num((row[1].by_result || {})[r] || 0) })),
    { label: '已反馈', numeric: true, value: (row) => num(row[1].feedback) },
    { label: '已应用', numeric: true, value: (row) => num(row[1].applied) },
    { label: '未应用', numeric: true, value: (row) => num(row[1].not_applied) },
  ];
  root.append(el('h3', null, '按应用场景'));
  root.append(table(columns('应用场景'), scenarios.map(([code, c]) => [scenarioLabel(code), c]),
    { caption: '按应用场景的核查统计', testid: 'checks-scenario-table', id: 'checks-scenario-table', empty: '尚无核查' }));
  root.append(el('h3', null, '按实施部门'));
  root.append(table(columns('实施部门'), depts,
    { caption: '按实施部门的核查统计', testid: 'checks-department-table', id: 'checks-department-table', empty: '尚无核查' }));
}

async function scenarioNames(ctx) {
  try {
    const data = await api('/measures', { token: ctx.token });
    return Object.fromEntries((data.scenarios || []).map((s) => [s.code, s.name]));
  } catch {
    return {};  // the measure list is optional here: codes stand in for names
  }
}

function card(label, value) {
  return el('li', null, el('span', { className: 'value' }, num(value)), el('span', { className: 'label' }, label));
}
