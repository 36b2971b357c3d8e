// 数据归集批次: the most recent batches (GET /api/v1/batches?limit=, the only parameter the API
// takes; indicator and department filters apply to the fetched list) and one batch's report with
// its rejected rows (GET /api/v1/batches/{id}), paged and filtered here.

import { api, el, setChildren } from '/js/api.js';
import { errorNotice, field, heading, isForbidden, notice, num, pager, reasonLabel, select, table } from './ui.js';

const REJECTED_PAGE = 100;
const NO_DEPT = '(none)';  // filter value for batches without a department

export async function render(root, ctx) {
  if (ctx.param) return renderBatch(root, ctx, ctx.param);
  return renderList(root, ctx);
}

async function renderList(root, ctx) {
  const limit = ['20', '50', '100'].includes(ctx.query.get('limit')) ? ctx.query.get('limit') : '50';
  const indicator = ctx.query.get('indicator') || '';
  const dept = ctx.query.get('dept') || '';
  const onlyRejected = ctx.query.get('rejected') === '1';
  root.append(...heading('数据归集批次',
    ctx.role === 'source_department' ? '本部门最近报送的批次（最新在前）。' : '各部门最近报送的批次（最新在前）。'));
  let data;
  try {
    data = await api('/batches', { token: ctx.token, query: { limit } });
  } catch (e) {
    if (isForbidden(e)) ctx.forbidden();
    root.append(errorNotice(e, '数据归集批次'));
    return;
  }
  const all = data.batches || [];
  const indicators = [...new Set(all.map((b) => b.indicator))].sort();
  const depts = [...new Set(all.map((b) => b.dept))].sort();
  const form = el('form', { className: 'filters', id: 'batch-filters', 'data-testid': 'batch-filters',
                            'aria-label': '筛选批次' },
    field('batch-limit', '显示最近', select('limit', [['20', '20 批'], ['50', '50 批'], ['100', '100 批']], limit)),
    field('batch-indicator', '信息项', select('indicator', [['', '全部'], ...indicators.map((i) => [i, i])], indicator)),
    field('batch-dept', '报送部门', select('dept', [['', '全部'], ...depts.map((d) => [d || NO_DEPT, d || '（未注明）'])], dept)),
    el('p', { className: 'field' }, el('label', null,
      el('input', { type: 'checkbox', name: 'rejected', value: '1', id: 'batch-only-rejected', checked: onlyRejected }),
      ' 只看有驳回行的批次')),
    el('button', { type: 'submit' }, '筛选'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    const fd = new FormData(form);
    for (const k of ['limit', 'indicator', 'dept', 'rejected']) {
      const v = fd.get(k);
      if (v !== null && v !== '') q.set(k, v);
    }
    ctx.navigate('#batches?' + q.toString());
  });
  root.append(form);
  const rows = all.filter((b) => (!indicator || b.indicator === indicator) &&
                                 (!dept || b.dept === (dept === NO_DEPT ? '' : dept)) &&
                                 (!onlyRejected || b.rejected > 0));
  root.append(el('p', { className: 'lead' }, '共 ' + rows.length + ' 个批次' +
    (rows.length !== all.length ? '（最近 ' + all.length + ' 个中）' : '') + '。'));
  root.append(table([
    { label: '批次', value: (b) => el('a', { href: '#batches/' + b.batch, 'data-testid': 'batch-link' }, '#' + b.batch) },
    { label: '文件', value: (b) => b.file },
    { label: '信息项', value: (b) => b.indicator },
    { label: '报送部门', value: (b) => b.dept || '（未注明）' },
    { label: '行数', numeric: true, value: (b) => num(b.rows) },
    { label: '接收', numeric: true, value: (b) => num(b.accepted) },
    { label: '驳回', numeric: true, value: (b) => num(b.rejected) },
    { label: '重复', numeric: true, value: (b) => num(b.duplicates) },
    { label: '迟报', numeric: true, value: (b) => num(b.late) },
  ], rows, { caption: '批次列表', testid: 'batch-table', id: 'batch-table', rowTestid: 'batch-row', stack: true,
             rowAttrs: (b) => ({ 'data-batch': String(b.batch) }), empty: '没有符合条件的批次' }));
}

async function renderBatch(root, ctx, idText) {
  root.append(el('p', null, el('a', { href: '#batches' }, '← 返回批次列表')));
  if (!/^[1-9][0-9]{0,17}$/.test(idText)) {
    root.append(...heading('批次报告'), notice('error', '批次编号应为正整数：' + idText));
    return;
  }
  let b;
  try {
    b = await api('/batches/' + idText, { token: ctx.token });
  } catch (e) {
    root.append(...heading('批次 #' + idText));
    if (isForbidden(e)) ctx.forbidden();
    root.append(errorNotice(e, '该批次报告'));
    return;
  }
  root.append(...heading('批次 #' + b.batch + ' 报告', b.file));
  root.append(el('dl', { className: 'facts', id: 'batch-summary', 'data-testid': 'batch-summary' },
    ...fact('信息项', b.indicator),
    ...fact('报送部门', b.dept || '（未注明）'),
    ...fact('接收日期', b.received_date),
    ...fact('文件第几部分', String(b.part) + '（自文件第 ' + num(b.first_row) + ' 行起）'),
    ...fact('编码 / 格式', b.encoding + ' / ' + b.format),
    ...fact('处理耗时', (b.seconds ?? 0).toFixed(2) + ' 秒')));
  root.append(el('ul', { className: 'cards', 'aria-label': '批次汇总' },
    card('行数', b.rows), card('接收', b.accepted), card('驳回', b.rejected), card('重复', b.duplicates),
    card('更正（新版本）', b.corrected), card('迟报（双公示）', b.late), card('新主体', b.new_subjects)));

  const rejections = b.rejections || [];
  root.append(el('h3', { id: 'rejected-title' }, '驳回行（' + num(rejections.length) + '）'));
  const codes = [...new Set(rejections.map((r) => r.code))].sort();
  const fields = [...new Set(rejections.map((r) => r.field))].sort();
  const filter = { code: '', field: '', page: 1 };
  const codeSel = select('code', [['', '全部原因'], ...codes.map((c) => [c, reasonLabel(c)])], '');
  const fieldSel = select('field', [['', '全部字段'], ...fields.map((f) => [f, f || '（整行）'])], '');
  const holder = el('div', { id: 'rejected-rows' });
  const draw = () => {
    const rows = rejections.filter((r) => (!filter.code || r.code === filter.code) &&
                                          (!filter.field || r.field === filter.field));
    const start = (filter.page - 1) * REJECTED_PAGE;
    setChildren(holder,
      table([
        { label: '行号', numeric: true, value: (r) => num(r.row) },
        { label: '字段', value: (r) => r.field || '（整行）' },
        { label: '原因', value: (r) => reasonLabel(r.code) },
        { label: '说明', value: (r) => r.message },
      ], rows.slice(start, start + REJECTED_PAGE),
      { caption: '驳回行（行号、字段、原因）', testid: 'rejected-table', id: 'rejected-table',
        rowTestid: 'rejected-row', stack: true, empty: '本批次没有驳回行' }),
      rows.length > REJECTED_PAGE
        ? pager({ page: filter.page, pageSize: REJECTED_PAGE, total: rows.length, testid: 'rejected-pager',
                  onPage: (p) => { filter.page = p; draw(); } })
        : null);
  };
  if (rejections.length) {
    const form = el('form', { className: 'filters', 'aria-label': '筛选驳回行' },
      field('rejected-code', '原因', codeSel), field('rejected-field', '字段', fieldSel));
    form.addEventListener('change', () => {
      filter.code = codeSel.value;
      filter.field = fieldSel.value;
      filter.page = 1;
      draw();
    });
    form.addEventListener('submit', (event) => event.preventDefault());
    root.append(form);
  }
  draw();
  root.append(holder);

  const warnings = b.warnings || [];
  if (warnings.length) {
    root.append(el('h3', null, '提示（已接收，但需关注）（' + num(warnings.length) + '）'));
    root.append(table([
      { label: '行号', numeric: true, value: (r) => num(r.row) },
      { label: '字段', value: (r) => r.field || '（整行）' },
      { label: '类型', value: (r) => reasonLabel(r.code) },
      { label: '说明', value: (r) => r.message },
    ], warnings.slice(0, 500), { caption: '提示', testid: 'warning-table' }));
    if (warnings.length > 500) root.append(el('p', { className: 'lead' }, '只显示前 500 条提示。'));
  }
}

function fact(label, value) {
  return [el('dt', null, label), el('dd', null, value === null || value === undefined || value === '' ? '—' : value)];
}

function card(label, value) {
  return el('li', null, el('span', { className: 'value' }, num(value)), el('span', { className: 'label' }, label));
}
