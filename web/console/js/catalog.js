// 信息目录: the catalog of indicators (GET /api/v1/catalog, public) — what may be collected, from
// which departments, on which legal basis, who may see it and for how long — and one indicator's
// fields (#catalog/CODE).

import { api, el, setChildren } from '/js/api.js';
import { errorNotice, field, heading, notice, select, table } from './ui.js';

const NATURE = { positive: '守信（正面）', neutral: '中性', negative: '失信（负面）' };
const SEVERITY = { none: '—', minor: '轻微', general: '一般', serious: '严重' };
const SUBJECT_TYPES = { legal_person: '法人', individual_business: '个体工商户', other_organization: '非法人组织',
                        natural_person: '自然人' };
const FIELD_TYPES = { string: '文本', text: '长文本', date: '日期', money: '金额（万元）', integer: '整数', enum: '枚举',
                      uscc: '统一社会信用代码', org_code: '组织机构代码', reg_number: '注册号', tax_number: '税务登记号',
                      id_number: '证件号码（个人信息）', code: '代码' };

let catalogPromise = null;

function loadCatalog(ctx) {
  if (!catalogPromise) {
    catalogPromise = api('/catalog', { token: ctx.token });
    catalogPromise.catch(() => { catalogPromise = null; });
  }
  return catalogPromise;
}

const months = (n) => (n ? n + ' 个月' : '不限');

export async function render(root, ctx) {
  let catalog;
  try {
    catalog = await loadCatalog(ctx);
  } catch (e) {
    root.append(...heading('信息目录'), errorNotice(e, '信息目录'));
    return;
  }
  const indicators = catalog.indicators || [];
  if (ctx.param) return renderIndicator(root, indicators, ctx.param);

  root.append(...heading('信息目录', '公共信用信息目录：可归集的信息项、提供单位、纳入依据、公开属性和公示期限。未列入目录的信息不予归集。'));
  const categories = [...new Set(indicators.map((i) => i.category))];
  const text = el('input', { type: 'search', name: 'q', placeholder: '名称或代码' });
  const cat = select('category', [['', '全部类别'], ...categories.map((c) => [c, c])], '');
  const disc = select('disclosure', [['', '全部'], ['public', '社会公开'], ['gov_shared', '政务共享'], ['authorized', '授权查询']], '');
  const form = el('form', { className: 'filters', role: 'search', 'aria-label': '筛选信息项', id: 'catalog-filters' },
    field('catalog-q', '查找', text), field('catalog-category', '信息类别', cat), field('catalog-disclosure', '公开属性', disc));
  form.addEventListener('submit', (event) => event.preventDefault());
  const holder = el('div', { 'aria-live': 'polite' });
  const draw = () => {
    const q = text.value.trim().toLowerCase();
    const rows = indicators.filter((i) => (!q || i.name.toLowerCase().includes(q) || i.code.toLowerCase().includes(q)) &&
                                          (!cat.value || i.category === cat.value) &&
                                          (!disc.value || i.disclosure === disc.value));
    setChildren(holder, table([
      { label: '信息项', value: (i) => el('a', { href: '#catalog/' + encodeURIComponent(i.code), 'data-testid': 'catalog-link' }, i.name) },
      { label: '代码', value: (i) => el('code', null, i.code) },
      { label: '类别', value: (i) => i.category },
      { label: '性质', value: (i) => NATURE[i.nature] || i.nature },
      { label: '严重程度', value: (i) => SEVERITY[i.severity] || i.severity },
      { label: '公开属性', value: (i) => i.disclosure_label || i.disclosure },
      { label: '双公示', value: (i) => (i.shuanggongshi ? '是' : '否') },
      { label: '提供单位', value: (i) => (i.source_departments || []).join('、') },
    ], rows, { caption: '信息项（' + rows.length + ' / ' + indicators.length + '）', testid: 'catalog-table',
               id: 'catalog-table', rowTestid: 'catalog-row', stack: true, rowAttrs: (i) => ({ 'data-code': i.code }),
               empty: '没有匹配的信息项' }));
  };
  form.addEventListener('input', draw);
  form.addEventListener('change', draw);
  root.append(form, holder);
  draw();
}

function renderIndicator(root, indicators, code) {
  root.append(el('p', null, el('a', { href: '#catalog' }, '← 返回信息目录')));
  const i = indicators.find((x) => x.code === code);
  if (!i) {
    root.append(...heading('信息项'), notice('error', '目录中没有信息项：' + code));
    return;
  }
  root.append(...heading(i.name, i.category + ' · ' + i.code));
  const facts = [
    ['纳入依据', i.legal_basis],
    ['提供单位', (i.source_departments || []).join('、')],
    ['主体类型', (i.subject_types || []).map((t) => SUBJECT_TYPES[t] || t).join('、')],
    ['公开属性', i.disclosure_label || i.disclosure],
    ['信息性质', NATURE[i.nature] || i.nature],
    ['严重程度', SEVERITY[i.severity] || i.severity],
    ['最短公示期', i.publicity_min_months ? i.publicity_min_months + ' 个月' : '可立即公开'],
    ['最长公示期', months(i.publicity_max_months)],
    ['保存期限', i.retention_years ? i.retention_years + ' 年' : '主体存续期间'],
    ['双公示', i.shuanggongshi ? '是（决定作出后 7 个工作日内报送）' : '否'],
    ['唯一标识字段', (i.natural_key || []).join('、')],
  ];
  root.append(el('dl', { className: 'facts', id: 'indicator-facts', 'data-testid': 'indicator-facts' },
    facts.flatMap(([k, v]) => [el('dt', null, k), el('dd', null, v || '—')])));
  root.append(el('h3', null, '字段（' + (i.fields || []).length + '）'));
  root.append(table([
    { label: '字段代码', value: (f) => el('code', null, f.code) },
    { label: '名称', value: (f) => f.label },
    { label: '类型', value: (f) => FIELD_TYPES[f.type] || f.type },
    { label: '必填', value: (f) => (f.required ? '是' : '否') },
    { label: '最大长度', numeric: true, value: (f) => (f.max_length ? String(f.max_length) : '—') },
    { label: '取值', value: (f) => (f.values || []).join('、') },
  ], i.fields || [], { caption: i.name + '的字段', testid: 'indicator-fields', id: 'indicator-fields' }));
}
