// The portal's shared frame: skip link, header with the site title and (on inner pages) a
// compact search form, the navigation with the current page marked, and the footer.
// Each page has <div id="site-header"></div> before <main id="main"> and
// <div id="site-footer"></div> after it; `<body data-page="…">` names the current nav item.
import { el, qs } from './api.js';

const NAV = [
  { key: 'home', href: '/index.html', text: '首页' },
  { key: 'publicity', href: '/publicity.html', text: '双公示' },
  { key: 'red', href: '/lists.html?type=red', text: '红名单' },
  { key: 'serious', href: '/lists.html?type=serious_dishonesty', text: '严重失信名单' },
  { key: 'commitments', href: '/commitments.html', text: '信用承诺' },
  { key: 'verify', href: '/verify.html', text: '报告核验' },
  { key: 'me', href: '/me.html', text: '我的信用' },
];

function currentKey() {
  const page = document.body.dataset.page || '';
  if (page === 'lists') {
    const type = qs('type') || 'red';
    if (type === 'serious_dishonesty') return 'serious';
    return type === 'red' ? 'red' : '';
  }
  return page;
}

function header() {
  const page = document.body.dataset.page || '';
  const key = currentKey();
  const bar = el('div', { class: 'bar' },
    el('p', { class: 'site-title' },
      el('a', { href: '/index.html' }, '信用郑州', el('small', null, '公共信用信息平台'))));
  if (page !== 'home' && page !== 'search') {
    bar.append(el('form', { class: 'header-search', role: 'search', action: '/search.html', method: 'get' },
      el('label', { for: 'header-q', class: 'visually-hidden' }, '搜索信用主体（名称、代码或拼音首字母）'),
      el('input', { id: 'header-q', name: 'q', type: 'search', required: true, maxlength: '64',
                    placeholder: '名称 / 统一社会信用代码 / 拼音首字母', autocomplete: 'off' }),
      el('button', { type: 'submit', id: 'header-search-submit' }, '查询')));
  }
  const nav = el('nav', { class: 'site-nav', 'aria-label': '主导航' },
    el('ul', null, NAV.map((n) => el('li', null,
      el('a', { href: n.href, 'aria-current': n.key === key ? 'page' : null, dataset: { nav: n.key } }, n.text)))));
  return el('header', { class: 'site-header' }, bar, nav);
}

function footer() {
  return el('footer', { class: 'site-footer' },
    el('div', { class: 'bar' },
      el('p', null, '信用郑州 — 公共信用信息平台。信息来源于各部门依法归集的公共信用信息，以社会公开部分为限。'),
      el('p', null,
        el('a', { href: '/api/v1/health', id: 'service-status', 'data-testid': 'service-status' }, '服务状态'),
        ' · ', el('a', { href: '/verify.html' }, '信用报告核验'),
        ' · ', el('a', { href: '/me.html' }, '异议申诉与信用修复'))));
}

export function mountLayout() {
  const skip = el('a', { class: 'skip-link', href: '#main' }, '跳到主要内容');
  const h = document.getElementById('site-header');
  if (h) h.replaceWith(skip, header());
  const f = document.getElementById('site-footer');
  if (f) f.replaceWith(footer());
}

mountLayout();
