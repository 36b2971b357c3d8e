// 城市监测: the city monitoring indicators (城市信用状况监测) month by month
// (GET /api/v1/monitoring?from=&to=, operator only) as line charts and one table, with graded
// supervision as it stands.

import { api, el } from '/js/api.js';
import { chart, chartsNotice, errorNotice, field, heading, isForbidden, lineOption, num, pct, table } from './ui.js';

const get = (obj, path) => path.split('.').reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);

// Rows of the table: [label, path, kind] with kind 'n' (count), 'r' (rate), 'd' (decimal).
const ROWS = [
  ['双公示报送行数', 'shuanggongshi.rows', 'n'],
  ['双公示接收行数', 'shuanggongshi.accepted', 'n'],
  ['双公示驳回行数', 'shuanggongshi.rejected', 'n'],
  ['双公示迟报行数', 'shuanggongshi.late', 'n'],
  ['户均双公示数', 'shuanggongshi.per_enterprise', 'd'],
  ['双公示合规率', 'shuanggongshi.compliance_rate', 'r'],
  ['双公示及时率', 'shuanggongshi.timeliness_rate', 'r'],
  ['异议受理数', 'objections.filed', 'n'],
  ['异议占公示记录比例', 'objections.share', 'r'],
  ['异议办结数', 'objections.answered', 'n'],
  ['异议平均办理工作日', 'objections.mean_workdays', 'd'],
  ['信用修复办结数', 'repairs.finished', 'n'],
  ['修复平均办理工作日', 'repairs.mean_workdays', 'd'],
  ['审批替代型承诺数', 'approval_commitments.made', 'n'],
  ['作出承诺的企业占比', 'approval_commitments.share', 'r'],
  ['信用核查次数', 'checks.count', 'n'],
  ['使用信用信息的场景数', 'checks.scenarios_used', 'n'],
  ['联合奖惩案例数', 'joint_measures.cases', 'n'],
  ['反馈率', 'joint_measures.feedback_share', 'r'],
  ['措施应用率', 'joint_measures.applied_share', 'r'],
  ['双随机抽查次数', 'inspections.draws', 'n'],
  ['抽查主体数', 'inspections.subjects', 'n'],
  ['出具信用报告数', 'credit_reports.issued', 'n'],
  ['统一社会信用代码重错码率', 'uscc.error_rate', 'r'],
  ['缺少法律文书的失信记录', 'without_legal_basis.rows_without_document', 'n'],
  ['目录外字段数', 'without_legal_basis.columns_outside_catalog', 'n'],
];

const CHARTS = [
  ['chart-monitor-rates', '双公示合规率与及时率', ['shuanggongshi.compliance_rate', 'shuanggongshi.timeliness_rate'], true],
  ['chart-monitor-volume', '双公示报送量', ['shuanggongshi.rows', 'shuanggongshi.accepted', 'shuanggongshi.late'], false],
  ['chart-monitor-rights', '异议与信用修复', ['objections.filed', 'objections.answered', 'repairs.finished'], false],
  ['chart-monitor-workdays', '平均办理工作日', ['objections.mean_workdays', 'repairs.mean_workdays'], false],
  ['chart-monitor-use', '信用核查与联合奖惩', ['checks.count', 'joint_measures.cases', 'inspections.draws', 'credit_reports.issued'], false],
  ['chart-monitor-shares', '承诺、反馈与应用比例', ['approval_commitments.share', 'joint_measures.feedback_share', 'joint_measures.applied_share', 'uscc.error_rate'], true],
];

export async function render(root, ctx) {
  root.append(...heading('城市监测', '城市信用状况监测指标，按月统计。'));
  const date = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || '') ? v : '');
  const from = date(ctx.query.get('from'));
  const to = date(ctx.query.get('to'));
  const form = el('form', { className: 'filters', id: 'monitoring-filters', 'aria-label': '统计期间' },
    field('mon-from', '自', el('input', { type: 'date', name: 'from', value: from })),
    field('mon-to', '至', el('input', { type: 'date', name: 'to', value: to })),
    el('button', { type: 'submit' }, '统计'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const fd = new FormData(form);
    const q = new URLSearchParams();
    for (const k of ['from', 'to']) if (fd.get(k)) q.set(k, fd.get(k));
    ctx.navigate('#monitoring' + (q.toString() ? '?' + q.toString() : ''));
  });
  root.append(form);
  let data;
  try {
    data = await api('/monitoring', { token: ctx.token, query: { from, to } });
  } catch (e) {
    if (isForbidden(e)) ctx.forbidden();
    root.append(errorNotice(e, '城市监测指标'));
    return;
  }
  const months = data.months || [];
  const labels = months.map((m) => m.month);
  root.append(el('p', { className: 'lead' }, '期间：' + data.from + ' 至 ' + data.to + '，共 ' + months.length + ' 个月。'));
  const notice = chartsNotice();
  if (notice) root.append(notice);
  const labelOf = (path) => (ROWS.find((r) => r[1] === path) || [path])[0];
  root.append(el('div', { className: 'charts' }, CHARTS.map(([id, title, paths, percent]) =>
    chart(id, title, lineOption(labels, paths.map((p) => ({ name: labelOf(p), data: months.map((m) => get(m, p) ?? null) })),
                                { percent }),
          { height: 300, label: title + '折线图，数据见月度指标表' }))));

  root.append(el('h3', null, '月度指标'));
  const fmt = (v, kind) => (kind === 'r' ? pct(v) : kind === 'd' ? (v === null || v === undefined ? '—' : Number(v).toFixed(2)) : num(v));
  root.append(table([
    { label: '指标', value: (r) => r[0] },
    ...months.map((m) => ({ label: m.month, numeric: true, value: (r) => fmt(get(m, r[1]), r[2]) })),
  ], ROWS, { caption: '城市信用状况监测（按月）', testid: 'monitoring-table', id: 'monitoring-table' }));

  const g = data.graded_supervision;
  if (g) {
    root.append(el('h3', null, '分级分类监管'));
    root.append(el('p', null, '已评级组织 ' + num(g.graded) + ' 个；最近一次全量评级：' + (g.last_full_run || '尚未进行') + '。'));
    root.append(table([
      { label: '等级', value: (r) => r[0] },
      { label: '组织数', numeric: true, value: (r) => num(r[1]) },
    ], Object.entries(g.by_grade || {}), { caption: '各等级组织数', testid: 'grades-table', empty: '尚无评级结果' }));
  }
}
