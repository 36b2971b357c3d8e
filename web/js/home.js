// Home page: the search form goes to search.html (plain GET form, works without script);
// the script only trims the query and shows the platform's counts.
import { api, errorText } from './api.js';

const form = document.getElementById('search');
const input = document.getElementById('q');
form.addEventListener('submit', (event) => {
  const q = input.value.trim();
  if (!q) {
    event.preventDefault();
    input.focus();
    return;
  }
  input.value = q;
});

const stats = document.getElementById('platform-stats');
api('/health').then((h) => {
  stats.textContent = `平台现有信用主体 ${h.subjects.toLocaleString('zh-CN')} 个，公共信用记录 ${h.records.toLocaleString('zh-CN')} 条。`;
}).catch((err) => {
  stats.textContent = '暂时无法获取平台统计：' + errorText(err);
});
