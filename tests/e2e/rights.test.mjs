// A subject files an objection online (我的信用) and the operator finds it in the console's
// queue with its deadline; the console's sections open without script errors; a department
// sees its own slice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { launch, openPage, expectNoErrors, screenshot, api, unlabelledControls, BASE, OPERATOR_TOKEN, WORK } from './lib.mjs';

let browser;
let penalty;
let subjectToken;
before(async () => {
  browser = await launch();
  const listing = await api('/api/v1/publicity?kind=penalty&page_size=50', { token: null });
  // Another subject than the portal test's, so the two files stay independent.
  const items = listing.items.filter((i) => i.subject.type === 'legal_person' && i.record_id);
  penalty = items[items.length - 1];
  assert.ok(penalty, 'the generated city publishes a penalty of a legal person');
  const created = await api('/api/v1/tokens', {
    method: 'POST', body: { role: 'subject', subject: penalty.subject.code, name: 'e2e 主体', expires_days: 1 },
  });
  subjectToken = created.token;
  assert.ok(subjectToken);
});
after(async () => { await browser?.close(); });

// 我的信用 with the subject's token typed into its sign-in form, as a person would.
async function signInToMyCredit() {
  const me = await openPage(browser);
  await me.goto(BASE + '/me.html');
  await me.getByTestId('login-code').fill(penalty.subject.code);
  await me.getByTestId('login-token').fill(subjectToken);
  await me.getByTestId('login-submit').click();
  await me.getByTestId('me-name').getByText(penalty.subject.name).waitFor();
  return me;
}

test('a subject files an objection and the operator sees it in the queue with its deadline', async () => {
  const me = await signInToMyCredit();
  await screenshot(me, 'flow-me-records');
  assert.deepEqual(await unlabelledControls(me), [], 'form controls without a label on 我的信用');

  await me.getByTestId('objection-record').fill(String(penalty.record_id));
  await me.getByTestId('objection-reason').fill('处罚决定已被复议机关撤销，平台记录未更新。');
  await me.getByTestId('objection-submit').click();
  const id = (await me.getByTestId('objection-id').textContent()).trim();
  assert.match(id, /^\d+$/);
  const filed = await api(`/api/v1/objections/${id}`);
  assert.equal(String(filed.record.id), String(penalty.record_id));
  assert.match(filed.deadline, /^\d{4}-\d{2}-\d{2}$/);
  assert.match(await me.getByTestId('objection-deadline').textContent(), new RegExp(filed.deadline));
  // The subject's own list shows it too.
  await me.getByTestId('my-objections').getByText(id).first().waitFor();
  await screenshot(me, 'flow-objection-filed');
  expectNoErrors(me, 'filing an objection');
  await me.context().close();

  const op = await openPage(browser, { token: OPERATOR_TOKEN });
  await op.goto(BASE + '/console/#objections');
  const row = op.locator(`[data-testid="objection-row"][data-id="${id}"]`);
  await row.waitFor();
  assert.match(await row.getByTestId('objection-deadline').textContent(), new RegExp(filed.deadline));
  assert.equal(await row.getAttribute('data-overdue'), filed.overdue ? 'true' : 'false');
  await screenshot(op, 'flow-console-objection-queue');
  expectNoErrors(op, 'the objection queue');
  await op.context().close();
});

test('a subject makes a 主动型 commitment online and finds it in its list', async () => {
  const me = await signInToMyCredit();

  // Without a reason the form says so and sends nothing.
  await me.getByTestId('commitment-content').fill('依法诚信经营，按时履行合同义务。');
  await me.getByTestId('commitment-submit').click();
  assert.match(await me.getByTestId('commitment-error').textContent(), /承诺事由/);
  await me.getByTestId('commitment-reason').fill('参与诚信经营承诺活动');
  const until = new Date(Date.now() + 200 * 86400000).toISOString().slice(0, 10);
  await me.getByTestId('commitment-valid-until').fill(until);
  await me.getByTestId('commitment-publicity').selectOption('不可公开');
  await me.getByTestId('commitment-submit').click();
  const number = (await me.locator('#commitment-success #commitment-number').textContent()).trim();
  assert.match(number, /^\d{20}$/);
  assert.equal(await me.getByTestId('commitment-error').textContent(), '');
  // The list reloads with it; the API has it as 主动型, open, not public.
  const row = me.getByTestId('my-commitment').filter({ hasText: number });
  await row.waitFor();
  assert.match(await row.textContent(), /主动型/);
  const listed = await api(`/api/v1/subjects/${encodeURIComponent(penalty.subject.code)}/commitments?page_size=100`);
  const made = listed.commitments.find((c) => c.code === number);
  assert.ok(made, 'the operator lists the new commitment');
  assert.equal(made.type, '主动型');
  assert.equal(made.state, 'open');
  assert.equal(made.deadline, until);
  assert.equal(made.publicity, '不可公开');
  await screenshot(me, 'flow-commitment-made');
  expectNoErrors(me, 'making a commitment');
  await me.context().close();
});

test('every section of the operator console opens without script errors, charts drawn', async () => {
  const op = await openPage(browser, { token: OPERATOR_TOKEN });
  await op.goto(BASE + '/console/');
  const nav = op.locator('#nav-list a');
  await nav.first().waitFor();
  const sections = await nav.evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  assert.ok(sections.length >= 8, `console sections: ${sections.join(' ')}`);
  for (const href of sections) {
    const key = href.replace(/^#/, '');
    await op.goto(BASE + '/console/' + href);
    await op.locator(`#view [data-testid="view-${key}"]`).waitFor();
    await op.waitForLoadState('networkidle');
    assert.equal(await op.locator('#view [data-testid="notice-error"]').count(), 0, `an error in ${href}`);
    assert.deepEqual(await unlabelledControls(op), [], `form controls without a label in ${href}`);
    await screenshot(op, 'console-' + key);
  }
  expectNoErrors(op, 'the console sections');
  // The data-quality dashboard draws its charts with ECharts (a canvas per chart).
  await op.goto(BASE + '/console/#quality');
  await op.locator('#view canvas').first().waitFor();
  await op.context().close();
});

test('a department user sees its own batches and rejected rows, and no operator section', async () => {
  const dept = '郑州市市场监督管理局';
  const created = await api('/api/v1/tokens', {
    method: 'POST', body: { role: 'source_department', dept, name: 'e2e 市场监管局', expires_days: 1 },
  });
  // Three rows the city already holds (duplicates; rows without quoted fields, so one line is one
  // row) and a fourth without its required fields.
  const [header, ...lines] = (await readFile(path.join(WORK, 'gen', 'admin_penalty.csv'), 'utf8')).split('\n');
  const columns = header.split(',').length;
  const plain = lines.filter((l) => !l.includes('"') && l.split(',').length === columns).slice(0, 3);
  assert.equal(plain.length, 3);
  const bad = ['缺少必填项的测试企业有限公司', ...Array(columns - 1).fill('')].join(',');
  const csv = [header, ...plain, bad, ''].join('\n');
  const upload = await api('/api/v1/batches?indicator=admin_penalty', {
    method: 'POST', body: csv, token: created.token,
  });
  const batchId = String(upload.reports[0].batch);

  const page = await openPage(browser, { token: created.token });
  await page.goto(BASE + '/console/#batches');
  const rows = page.locator('[data-testid="batch-row"]');
  await rows.first().waitFor();
  const ids = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-batch')));
  assert.deepEqual(ids, [batchId], 'the department sees its own batch only');
  await rows.first().getByTestId('batch-link').click();
  const rejected = page.locator('#rejected-table [data-testid="rejected-row"]');
  await rejected.first().waitFor();
  assert.equal(await rejected.count(), 1);
  assert.equal((await rejected.first().locator('td').first().textContent()).trim(), '4',
               'the rejected row is the file\'s fourth data row');
  await screenshot(page, 'flow-console-department-batch');
  assert.equal(await page.locator('#nav-monitoring').isVisible(), false, 'city monitoring is the operator\'s');
  expectNoErrors(page, 'the department\'s console');
  await page.context().close();
});
