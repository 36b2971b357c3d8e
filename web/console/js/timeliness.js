// 及时性: 双公示 timeliness (及时率: decisions received within 7 working days) and late rows per
// department and indicator, departments gone silent past their reporting frequency (未按期报送)
// and gaps in document-number series (文号缺号), from GET /api/v1/governance.

import { el, setChildren } from '/js/api.js';
import { barOption, chart, chartsNotice, heading, num, pager, pct, table } from './ui.js';
import { governanceControls, governanceFilter, governanceReport, scopeLine } from './governance.js';

const FREQUENCY = { daily: '每日', weekly: '每周', monthly: '每月' };

export async function render(root, ctx) {
  root.append(...heading('及时性', '双公示信息的及时率与迟报、未按期报送的部门以及文号缺号。'));
  const filter = governanceFilter(ctx);
  const report = await governanceReport(root, ctx, filter, '及时性统计');
  if (!report) return;
  const all = report.figures || [];
  const figures = all.filter((f) => f.shuanggongshi);
  const manyDepts = new Set(figures.map((f) => f.dept)).size > 1;
  const label = (f) => (manyDepts ? (f.dept || '未注明部门') + ' · ' : '') + (f.indicator_name || f.indicator);
  root.append(...governanceControls(ctx, filter, [...new Set(all.map((f) => f.dept))].sort()));
  root.append(el('p', { className: 'lead', id: 'governance-scope' }, scopeLine(report)));
  const s = report.shuanggongshi || {};
  const silent = report.silent_departments || [];
  const gaps = report.serial_gaps || [];
  const missingSerials = gaps.reduce((n, g) => n + (g.missing || 0), 0);
  root.append(el('ul', { className: 'cards', 'aria-label': '双公示及时性', 'data-testid': 'timeliness-cards' },
    card('双公示接收行数', num(s.accepted)), card('迟报行数', num(s.late)), card('及时率', pct(s.timeliness_rate)),
    card('上报率（按文号）', pct(s.report_rate)),
    card('未按期报送部门', num(silent.filter((d) => d.missed > 0).length)),
    card('文号缺号', num(missingSerials))));

  const notice = chartsNotice();
  if (notice) root.append(notice);
  const rated = figures.filter((f) => f.timeliness_rate !== null && f.timeliness_rate !== undefined);
  const h = (n) => Math.max(160, 32 * n + 60);
  root.append(el('div', { className: 'charts' },
    chart('chart-timeliness', '双公示及时率（按部门、信息项）',
      barOption(rated.map(label), [{ name: '及时率', data: rated.map((f) => f.timeliness_rate), color: '#2f6fb3' }],
                { percent: true }),
      { height: h(rated.length), label: '双公示及时率条形图，数据见下表' }),
    chart('chart-late', '按时与迟报行数',
      barOption(figures.map(label), [
        { name: '按时', data: figures.map((f) => Math.max(0, (f.accepted || 0) - (f.late || 0))), color: '#4b8a5c' },
        { name: '迟报', data: figures.map((f) => f.late), color: '#b33a3a' },
      ], { stack: true }),
      { height: h(figures.length), label: '双公示按时与迟报行数堆叠条形图，数据见下表' })));

  root.append(el('h3', null, '双公示及时率（按部门、信息项）'));
  root.append(table([
    { label: '部门', value: (f) => f.dept || '（未注明）' },
    { label: '信息项', value: (f) => f.indicator_name || f.indicator },
    { label: '批次', numeric: true, value: (f) => num(f.batches) },
    { label: '接收', numeric: true, value: (f) => num(f.accepted) },
    { label: '迟报', numeric: true, value: (f) => num(f.late) },
    { label: '及时率', numeric: true, value: (f) => pct(f.timeliness_rate) },
    { label: '上报率（按文号）', numeric: true, value: (f) => pct(f.report_rate) },
  ], figures, { caption: '双公示及时性', testid: 'timeliness-table', id: 'timeliness-table',
                rowTestid: 'timeliness-row', empty: '统计范围内没有双公示数据' }));

  root.append(el('h3', null, '未按期报送'));
  root.append(table([
    { label: '部门', value: (d) => d.dept },
    { label: '报送频次', value: (d) => FREQUENCY[d.frequency] || d.frequency },
    { label: '最近报送', value: (d) => d.last_batch || '从未报送' },
    { label: '应报日期', value: (d) => d.due || '—' },
    { label: '缺报次数', numeric: true, value: (d) => num(d.missed) },
    { label: '状态', value: (d) => (d.missed > 0
      ? el('span', { className: 'overdue-marker' }, '⚠ 逾期未报')
      : el('span', { className: 'ontime-marker' }, d.last_batch ? '按期' : '尚无应报期')) },
  ], silent, { caption: '按报送频次检查的部门', testid: 'silent-departments-table', id: 'silent-departments-table',
               rowTestid: 'silent-department-row', stack: true, empty: '没有需要按期报送的部门',
               rowAttrs: (d) => ({ className: d.missed > 0 ? 'is-overdue' : null }) }));

  root.append(el('h3', null, '文号缺号（共检查 ' + num(report.serial_series_checked ?? gaps.length) + ' 个文号序列，' +
                 gaps.length + ' 个有缺号）'));
  const holder = el('div');
  const sorted = gaps.slice().sort((a, b) => b.missing - a.missing);
  const draw = (page) => {
    const size = 50;
    setChildren(holder,
      table([
        { label: '部门', value: (g) => g.dept || '（未注明）' },
        { label: '信息项', value: (g) => g.indicator },
        { label: '文号序列', value: (g) => g.series },
        { label: '起止', value: (g) => g.first + '–' + g.last },
        { label: '已报', numeric: true, value: (g) => num(g.seen) },
        { label: '缺号', numeric: true, value: (g) => num(g.missing) },
        { label: '缺失序号', value: (g) => {
          const list = g.missing_serials || [];
          return list.slice(0, 20).join('、') + (list.length > 20 ? ' 等' : '');
        } },
      ], sorted.slice((page - 1) * size, page * size),
      { caption: '文号序列中的缺号', testid: 'serial-gaps-table', id: 'serial-gaps-table', empty: '没有缺号' }),
      sorted.length > size ? pager({ page, pageSize: size, total: sorted.length, onPage: draw,
                                     testid: 'serial-gaps-pager' }) : null);
  };
  draw(1);
  root.append(holder);
}

function card(label, value) {
  return el('li', null, el('span', { className: 'value' }, value), el('span', { className: 'label' }, label));
}
