// 数据质量: compliance (合规率), rejected rows by reason, duplicates, corrections and the USCC
// error rate per department and indicator, from GET /api/v1/governance; name conflicts and
// records of subjects without a registration record. Tables always, charts when ECharts loaded.

import { el, setChildren } from '/js/api.js';
import { barOption, chart, chartsNotice, heading, num, pager, pct, pieOption,
         reasonLabel, REJECTION_LABELS, table } from './ui.js';
import { governanceControls, governanceFilter, governanceReport, scopeLine } from './governance.js';

export async function render(root, ctx) {
  root.append(...heading('数据质量', '各部门、各信息项报送数据的合规率、驳回原因、重复与错码情况。'));
  const filter = governanceFilter(ctx);
  const report = await governanceReport(root, ctx, filter, '数据质量统计');
  if (!report) return;
  const figures = report.figures || [];
  const manyDepts = new Set(figures.map((f) => f.dept)).size > 1;
  const label = (f) => (manyDepts ? (f.dept || '未注明部门') + ' · ' : '') + (f.indicator_name || f.indicator);
  root.append(...governanceControls(ctx, filter, [...new Set(figures.map((f) => f.dept))].sort()));
  root.append(el('p', { className: 'lead', id: 'governance-scope' }, scopeLine(report)));
  const t = report.total || {};
  root.append(el('ul', { className: 'cards', 'aria-label': '总体情况', 'data-testid': 'quality-cards' },
    card('报送行数', num(t.rows)), card('接收', num(t.accepted)), card('驳回', num(t.rejected)),
    card('重复', num(t.duplicates)), card('更正', num(t.corrected)), card('合规率', pct(t.compliance_rate)),
    card('重错码率', pct(t.uscc_error_rate)), card('无登记主体的记录', num(t.unknown_subject_records))));

  const notice = chartsNotice();
  if (notice) root.append(notice);
  const rated = figures.filter((f) => f.compliance_rate !== null && f.compliance_rate !== undefined);
  const reasons = (t.rejections || []).slice().sort((a, b) => b.rows - a.rows);
  const chartHeight = (n) => Math.max(160, 28 * n + 60);
  root.append(el('div', { className: 'charts' },
    chart('chart-compliance', '合规率（按部门、信息项）',
      barOption(rated.map(label), [{ name: '合规率', data: rated.map((f) => f.compliance_rate), color: '#2f6fb3' }],
                { percent: true }),
      { height: chartHeight(rated.length), label: '各信息项合规率条形图，数据见概览表' }),
    chart('chart-rejections', '驳回行（按原因）',
      pieOption(reasons.map((r) => ({ name: REJECTION_LABELS[r.code] || r.code, value: r.rows }))),
      { height: 340, label: '驳回原因分布图，数据见驳回原因表' }),
    chart('chart-rows', '接收、驳回与重复行数',
      barOption(figures.map(label), [
        { name: '接收', data: figures.map((f) => f.accepted), color: '#4b8a5c' },
        { name: '驳回', data: figures.map((f) => f.rejected), color: '#b33a3a' },
        { name: '重复', data: figures.map((f) => f.duplicates), color: '#c78c1e' },
      ], { stack: true }),
      { height: chartHeight(figures.length), label: '各信息项接收、驳回、重复行数堆叠条形图，数据见概览表' })));

  root.append(el('h3', null, '概览（按部门、信息项）'));
  root.append(table([
    { label: '部门', value: (f) => f.dept || '（未注明）' },
    { label: '信息项', value: (f) => f.indicator_name || f.indicator },
    { label: '批次', numeric: true, value: (f) => num(f.batches) },
    { label: '报送行数', numeric: true, value: (f) => num(f.rows) },
    { label: '接收', numeric: true, value: (f) => num(f.accepted) },
    { label: '驳回', numeric: true, value: (f) => num(f.rejected) },
    { label: '重复', numeric: true, value: (f) => num(f.duplicates) },
    { label: '更正', numeric: true, value: (f) => num(f.corrected) },
    { label: '合规率', numeric: true, value: (f) => pct(f.compliance_rate) },
    { label: '代码错误', numeric: true, value: (f) => num(f.invalid_uscc) },
    { label: '代码冲突', numeric: true, value: (f) => num(f.identifier_conflicts) },
    { label: '重错码率', numeric: true, value: (f) => pct(f.uscc_error_rate) },
    { label: '名称不一致', numeric: true, value: (f) => num(f.name_conflict_rows) },
    { label: '缺法律文书', numeric: true, value: (f) => num(f.no_legal_document) },
    { label: '目录外字段', numeric: true, value: (f) => num(f.columns_outside_catalog) },
    { label: '无登记主体', numeric: true, value: (f) => num(f.unknown_subject_records) },
  ], figures, { caption: '各部门、各信息项数据质量', testid: 'quality-table', id: 'quality-table',
                rowTestid: 'quality-row' }));

  root.append(el('h3', null, '驳回原因'));
  root.append(table([
    { label: '原因', value: (r) => reasonLabel(r.code) },
    { label: '行数', numeric: true, value: (r) => num(r.rows) },
    { label: '示例', value: (r) => el('ul', { className: 'examples' }, (r.examples || []).slice(0, 3).map((x) =>
        el('li', null, el('a', { href: '#batches/' + x.batch }, '批次 #' + x.batch), ' 第 ' + x.row + ' 行 ',
           x.field ? x.field + '：' : '', x.message))) },
  ], reasons, { caption: '驳回行按原因统计', testid: 'rejection-reasons-table', id: 'rejection-reasons-table',
                empty: '没有驳回行' }));

  root.append(el('h3', null, '名称冲突（同一代码报送了不同名称）'));
  root.append(table([
    { label: '统一社会信用代码', value: (c) => c.code },
    { label: '登记名称', value: (c) => c.stored_name },
    { label: '报送名称', value: (c) => (c.variants || []).map((v) => v.name + '（' + (v.dept || '未注明') + '，' +
        v.indicator + '，' + v.records + ' 条）').join('；') },
  ], report.name_conflicts || [], { caption: '名称冲突', testid: 'name-conflicts-table', empty: '没有名称冲突' }));

  const unknown = report.unknown_subjects || [];
  root.append(el('h3', null, '无登记信息的主体（共 ' + num(report.unknown_subjects_total ?? unknown.length) + ' 个）'));
  const holder = el('div');
  const draw = (page) => {
    const size = 50;
    setChildren(holder,
      table([
        { label: '代码', value: (u) => u.code },
        { label: '名称', value: (u) => u.name },
        { label: '报送部门', value: (u) => u.dept || '（未注明）' },
        { label: '记录数', numeric: true, value: (u) => num(u.records) },
      ], unknown.slice((page - 1) * size, page * size),
      { caption: '没有登记（reg_basic）记录的主体', testid: 'unknown-subjects-table', empty: '没有' }),
      unknown.length > size ? pager({ page, pageSize: size, total: unknown.length, onPage: draw,
                                      testid: 'unknown-subjects-pager' }) : null);
  };
  draw(1);
  root.append(holder);
}

function card(label, value) {
  return el('li', null, el('span', { className: 'value' }, value), el('span', { className: 'label' }, label));
}
