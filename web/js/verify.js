// verify.html?number=…: report verification (GET /api/v1/reports/{number}/verification), the
// QR code's target. Shows only what the API answers the caller (see openapi.yaml).
import { api, ApiError, el, errorText, getToken, qs, setChildren } from './api.js';

const form = document.getElementById('form');
const input = document.getElementById('number');
const out = document.getElementById('result');

function row(label, value, cls) {
  return [el('dt', null, label), el('dd', cls ? { class: cls } : null, value)];
}

let seq = 0;
async function verify(number) {
  const mine = ++seq;
  const btn = document.getElementById('verify-submit');
  btn.disabled = true;
  try {
    await verifyOnce(number, mine);
  } catch (err) {
    if (mine === seq) out.textContent = '验证失败：' + errorText(err);
  } finally {
    if (mine === seq) btn.disabled = false;
  }
}

async function verifyOnce(number, mine) {
  out.textContent = '正在验证…';
  let body;
  try {
    // A subject logged in on "我的信用" learns where its own report changed.
    const path = `/reports/${encodeURIComponent(number)}/verification`;
    const token = getToken();
    try {
      body = await api(path, { token });
    } catch (err) {
      // A stale token must not keep the public answer from anyone: ask again without it.
      if (!(token && err instanceof ApiError && err.status === 401)) throw err;
      body = await api(path);
    }
  } catch (err) {
    if (mine !== seq) return;
    let text;
    if (err instanceof ApiError && err.status === 404) text = '未找到该编号的报告：本平台未出具过此报告。';
    else if (err instanceof ApiError && err.status === 0) text = '无法连接平台，请稍后再试。';
    else text = '验证失败：' + errorText(err);
    setChildren(out, el('div', { class: 'verdict bad', 'data-testid': 'verify-verdict' }, text));
    return;
  }
  if (mine !== seq) return;
  const verdict = el('div', { class: 'verdict ' + (!body.authentic ? 'bad' : body.changed ? 'changed' : 'ok'),
                              'data-testid': 'verify-verdict' }, body.message);
  const dl = el('dl', { class: 'fields' });
  // The platform answers only what the caller may learn: of a full-view or a natural person's
  // report, not whether it changed (a person's name masked, the person's code left out); where
  // it changed is for the subject itself and the operator.
  const subj = body.subject || {};
  dl.append(...row('报告编号', body.number, 'mono'), ...row('报告类型', body.title || '—'),
    ...row('信用主体', subj.code ? `${subj.name}（${subj.code}）` : (subj.name || '—')),
    ...row('出具时间', (body.issued_at || '—') + '（北京时间）'));
  if (body.period) {
    dl.append(...row('报告期间', `${body.period.from} 至 ${body.period.to}`),
      ...row('数据截止日期', body.cutoff || '—'));
  }
  dl.append(...row('签名', body.authentic ? '有效（Ed25519）' : '无效'));
  if ('changed' in body) {
    dl.append(...row('出具后变化', !body.changed ? '无'
      : body.changed_sections ? body.changed_sections.map((s) => s.title).join('、')
        : '有（具体变化仅向信用主体本人提供）'));
  }
  dl.append(...row('内容摘要', body.digest || '—', 'mono'), ...row('核验日期', body.checked_on || '—'));
  const parts = [verdict, dl];
  // What the report said when issued: the signature covers this, not the pages of a file, so a
  // reader compares the document in hand with it (an altered 结论 shows here).
  if (body.authentic && Array.isArray(body.sections) && body.sections.length) {
    const said = el('dl', { class: 'fields', 'data-testid': 'verify-sections' });
    for (const s of body.sections) {
      const facts = (s.facts || []).map((f) => `${f.label}：${f.value}`).join('；');
      const items = Array.isArray(s.items) ? s.items : [];
      const dd = el('dd', null, s.summary + (facts ? `（${facts}）` : ''));
      // Every record as issued, field by field: an amount or a finding edited in the file
      // shows here.
      if (items.length) {
        const list = el('ol', { class: 'verify-items' });
        for (const it of items) {
          const head = [it.date, it.title, it.document_number].filter(Boolean).join(' ');
          const fields = (it.fields || []).map((f) => `${f.label}：${f.value}`).join('；');
          list.append(el('li', null, el('details', null, el('summary', null, head),
                                        el('p', null, fields || '—'))));
        }
        dd.append(list);
      }
      said.append(el('dt', null, s.title), dd);
    }
    parts.push(el('h3', null, '报告出具时所载内容（请与所持报告逐项核对）'), said);
    if (body.note) parts.push(el('p', { class: 'note' }, body.note));
  }
  setChildren(out, ...parts);
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const n = input.value.trim();
  if (!n) return;
  history.replaceState(null, '', `?number=${encodeURIComponent(n)}`);
  verify(n);
});
const given = qs('number');
if (given) {
  input.value = given;
  verify(given.trim());
}
