// Console-only helpers shared by the section modules: tables, notices, number formats, charts
// (Apache ECharts from /vendor/echarts.min.js when present, else a notice and the tables alone),
// confirmations and the polite "无权访问" answer to a 403. Text from the API always goes in as
// textContent (el() from /js/api.js), never as markup.

import { ApiError, el, errorText } from '/js/api.js';
import { pager as sharedPager } from '/js/pager.js';

/** Percent with one decimal ("98.4%"), "—" for null/undefined (a rate without a base). */
export function pct(rate) {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '—';
  return (rate * 100).toFixed(1) + '%';
}

/** An integer with thousands separators, "—" for null/undefined. */
export function num(n) {
  if (n === null || n === undefined) return '—';
  if (typeof n !== 'number') return String(n);
  return Number.isInteger(n) ? n.toLocaleString('zh-CN') : n.toLocaleString('zh-CN', { maximumFractionDigits: 2 });
}

/** A section heading with an optional lead paragraph. */
export function heading(title, lead) {
  const h = el('h2', { id: 'view-title', tabindex: '-1' }, title);
  return lead ? [h, el('p', { className: 'lead' }, lead)] : [h];
}

/** A notice box; kind: 'info' | 'error' | 'warn' | 'forbidden'. */
export function notice(kind, ...children) {
  return el('div', { className: 'notice notice-' + kind, role: kind === 'error' ? 'alert' : null,
                     'data-testid': 'notice-' + kind }, ...children);
}

/** True for an ApiError that says the caller's role may not use the endpoint. */
export function isForbidden(err) {
  return err instanceof ApiError && err.status === 403;
}

/** The polite answer to a 403: what the section is and why it is not shown. */
export function forbiddenNotice(err, what) {
  return notice('forbidden',
    el('strong', null, '无权访问'),
    el('p', null, '当前令牌的角色不能查看' + what + '。如需访问，请联系市信用中心开通相应权限。'),
    el('p', { className: 'server-message' }, '服务器说明：' + (err && err.message ? err.message : '')));
}

/** The notice for any failed call: a 403 politely, anything else in Chinese with the server's words. */
export function errorNotice(err, what) {
  if (isForbidden(err)) return forbiddenNotice(err, what);
  if (err instanceof ApiError && err.status === 401) {
    return notice('error', errorText(err), el('p', null, '令牌可能已过期或被吊销，请退出登录后重新粘贴令牌。'));
  }
  return notice('error', errorText(err));
}

/**
 * A table inside a horizontally scrollable wrapper (the page itself never scrolls sideways).
 * columns: [{label, value: row => text|Node, className?, numeric?}]; rows: array.
 * opts: {caption, testid, id, rowTestid, rowAttrs: row => attrs, empty, stack}; `stack`: on narrow
 * screens each row becomes a block of "label value" lines instead of a wide table.
 */
export function table(columns, rows, opts = {}) {
  const thead = el('thead', null, el('tr', null,
    columns.map((c) => el('th', { scope: 'col', className: c.numeric ? 'num' : null }, c.label))));
  const tbody = el('tbody');
  for (const row of rows) {
    const attrs = opts.rowAttrs ? opts.rowAttrs(row) : {};
    if (opts.rowTestid) attrs['data-testid'] = opts.rowTestid;
    tbody.append(el('tr', attrs, columns.map((c) => {
      let v = c.value(row);
      if (v === null || v === undefined || v === '') v = '—';
      // A stacked cell is a two-column grid (label, value): keep the value in one grid item.
      if (opts.stack) v = el('span', { className: 'cell' }, v);
      return el('td', { className: [c.numeric ? 'num' : '', c.className || ''].join(' ').trim() || null,
                        'data-testid': c.testid || null, 'data-label': c.label },
                v);
    })));
  }
  if (!rows.length) {
    tbody.append(el('tr', null, el('td', { colspan: String(columns.length), className: 'empty' },
                                   opts.empty || '没有数据')));
  }
  const t = el('table', { 'data-testid': opts.testid || null, id: opts.id || null,
                         className: opts.stack ? 'stack' : null },
               opts.caption ? el('caption', null, opts.caption) : null, thead, tbody);
  return el('div', { className: 'table-wrap', tabindex: '0', role: 'region',
                     'aria-label': opts.caption || '表格' }, t);
}

/** Whether ECharts was loaded (web/vendor/echarts.min.js, copied by scripts/web-vendor.sh). */
export function chartsAvailable() {
  return typeof window.echarts === 'object' && window.echarts !== null &&
         typeof window.echarts.init === 'function';
}

const liveCharts = new Set();
let resizeHooked = false;

/** Disposes every chart of the previous view (called by the router before a new view). */
export function disposeCharts() {
  for (const c of liveCharts) {
    try { c.dispose(); } catch { /* already gone */ }
  }
  liveCharts.clear();
}

/**
 * A chart container with its title; the ECharts option is applied once the container is in the
 * document (the caller appends it). Without ECharts, the container holds a short text saying
 * the figures are in the table below. `label` is the accessible description of the chart.
 */
export function chart(id, title, option, { height = 320, label } = {}) {
  const box = el('div', { className: 'chart', id, 'data-testid': id, role: 'img',
                          'aria-label': label || title, style: 'height:' + height + 'px' });
  const figure = el('figure', { className: 'chart-figure' }, el('figcaption', null, title), box);
  if (!chartsAvailable()) {
    box.removeAttribute('role');
    box.style.height = 'auto';
    box.className = 'chart chart-missing';
    box.textContent = '图表组件未加载，数据见下方表格。';
    return figure;
  }
  // Initialized on the next frame so the container has its laid-out width.
  requestAnimationFrame(() => {
    if (!box.isConnected) return;
    try {
      const c = window.echarts.init(box, null, { renderer: 'canvas' });
      c.setOption(Object.assign({ animation: false, textStyle: { fontFamily: 'inherit' } }, option));
      liveCharts.add(c);
    } catch (e) {
      box.textContent = '图表无法显示（' + (e && e.message ? e.message : String(e)) + '），数据见表格。';
    }
  });
  if (!resizeHooked) {
    resizeHooked = true;
    window.addEventListener('resize', () => {
      for (const c of liveCharts) c.resize();
    });
  }
  return figure;
}

/** The notice shown once per view when ECharts is missing. */
export function chartsNotice() {
  if (chartsAvailable()) return null;
  return notice('warn', '图表组件（ECharts）未加载：只显示表格。运维人员可运行 scripts/web-vendor.sh 安装 web/vendor/echarts.min.js。');
}

/** A horizontal bar chart option: categories on the y axis (long Chinese names fit). */
export function barOption(categories, series, { percent = false, stack = false } = {}) {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' },
               valueFormatter: percent ? (v) => (v === null || v === undefined ? '—' : (v * 100).toFixed(1) + '%') : undefined },
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: { left: 8, right: 24, top: series.length > 1 ? 32 : 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', max: percent ? 1 : undefined,
             axisLabel: percent ? { formatter: (v) => Math.round(v * 100) + '%' } : {} },
    yAxis: { type: 'category', data: categories, inverse: true,
             axisLabel: { width: 140, overflow: 'truncate' } },
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data, stack: stack ? 'total' : undefined,
                                 itemStyle: s.color ? { color: s.color } : undefined })),
  };
}

/** A line chart option over months. */
export function lineOption(months, series, { percent = false } = {}) {
  return {
    tooltip: { trigger: 'axis',
               valueFormatter: percent ? (v) => (v === null || v === undefined ? '—' : (v * 100).toFixed(1) + '%') : undefined },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: months, boundaryGap: false },
    yAxis: { type: 'value', min: percent ? 'dataMin' : undefined,
             axisLabel: percent ? { formatter: (v) => +(v * 100).toFixed(1) + '%' } : {} },
    series: series.map((s) => ({ type: 'line', name: s.name, data: s.data, connectNulls: false,
                                 showSymbol: true })),
  };
}

/** A pie chart option from [{name, value}]. */
export function pieOption(items) {
  return {
    tooltip: { trigger: 'item' },
    legend: { type: 'scroll', bottom: 0 },
    series: [{ type: 'pie', radius: ['35%', '65%'], center: ['50%', '45%'], data: items,
               label: { formatter: '{b}: {c}' } }],
  };
}

/**
 * Asks for confirmation in a modal <dialog>; resolves to the form's values (an object) or null
 * when cancelled. fields: [{name, label, type: 'textarea'|'select'|'text', required, options}].
 */
export function confirmDialog({ title, message, confirmLabel = '确认', fields = [] }) {
  return new Promise((resolve) => {
    const inputs = {};
    const form = el('form', { method: 'dialog', className: 'dialog-form' },
      el('h3', { id: 'confirm-title' }, title),
      message ? el('p', null, message) : null,
      fields.map((f, i) => {
        const id = 'confirm-field-' + i;
        let input;
        if (f.type === 'select') {
          input = el('select', { id, name: f.name, required: f.required || null },
                     f.options.map((o) => el('option', { value: o.value }, o.label)));
        } else if (f.type === 'textarea') {
          input = el('textarea', { id, name: f.name, rows: '4', required: f.required || null,
                                   maxlength: '4000' });
        } else {
          input = el('input', { id, name: f.name, type: 'text', required: f.required || null });
        }
        if (f.value !== undefined) input.value = f.value;
        inputs[f.name] = input;
        return el('p', { className: 'field' }, el('label', { for: id }, f.label + (f.required ? '（必填）' : '')), input);
      }),
      el('div', { className: 'dialog-buttons' },
        el('button', { type: 'submit', value: 'ok', id: 'confirm-ok', 'data-testid': 'confirm-ok',
                       className: 'primary' }, confirmLabel),
        el('button', { type: 'button', value: 'cancel', id: 'confirm-cancel', 'data-testid': 'confirm-cancel',
                       onclick: () => dialog.close('cancel') }, '取消')));
    const dialog = el('dialog', { 'aria-labelledby': 'confirm-title', 'data-testid': 'confirm-dialog' }, form);
    const previous = document.activeElement;
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'ok';
      const values = {};
      for (const [k, input] of Object.entries(inputs)) values[k] = input.value.trim();
      dialog.remove();
      if (previous && previous.isConnected && typeof previous.focus === 'function') previous.focus();
      resolve(ok ? values : null);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** "上一页 / 下一页" buttons (the portal's pager, web/js/pager.js); onPage(n) gets the new page. */
export function pager({ page, pageSize, total, hasMore, onPage, testid = 'pager', label = '分页' }) {
  return sharedPager({ page, pageSize, total: typeof total === 'number' ? total : null, hasMore, onPage, testid, label });
}

/** A labelled form control wrapped in a <p class="field">. */
export function field(id, label, control) {
  control.id = id;
  return el('p', { className: 'field' }, el('label', { for: id }, label), control);
}

/** A <select> from [[value, label]] with the current value selected. */
export function select(name, options, current) {
  const s = el('select', { name });
  for (const [value, label] of options) {
    const o = el('option', { value }, label);
    if (String(value) === String(current ?? '')) o.selected = true;
    s.append(o);
  }
  return s;
}

/** Reason codes of rejected rows (src/ingest) in Chinese; unknown codes are shown as they are. */
export const REJECTION_LABELS = {
  missing_field: '必填项为空',
  invalid_uscc: '统一社会信用代码错误',
  invalid_org_code: '组织机构代码错误',
  invalid_reg_number: '工商注册号错误',
  invalid_tax_number: '税务登记号错误',
  invalid_id_number: '证件号码错误',
  invalid_resident_id: '身份证号码错误',
  invalid_date: '日期格式错误',
  invalid_report_date: '上报日期错误',
  decision_in_future: '决定日期晚于接收日期',
  invalid_money: '金额格式错误',
  invalid_integer: '整数格式错误',
  invalid_value: '取值不在允许范围',
  invalid_code: '代码错误',
  invalid_industry: '行业代码错误',
  invalid_commitment_code: '承诺编码错误',
  invalid_json: 'JSON 格式错误',
  invalid_encoding: '编码错误',
  wrong_column_count: '列数不符',
  unterminated_quote: '引号未闭合',
  row_too_large: '行过长',
  too_long: '超过长度限制',
  missing_document: '缺少具有法律效力的文书',
  missing_code: '缺少主体代码',
  identifier_conflict: '代码属于其他主体',
  henan_simple_procedure: '简易程序处罚（不予归集）',
  unknown_column: '目录外字段',
  name_conflict: '名称与登记名称不一致',
  calendar_missing: '工作日历未覆盖',
};

/** "中文（code）" for a rejection reason code. */
export function reasonLabel(code) {
  const zh = REJECTION_LABELS[code];
  return zh ? zh + '（' + code + '）' : code;
}
