// A subject files an objection online (我的信用) and the operator finds it in the console's
// queue with its deadline; then the console's sections open without script errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, expectNoErrors, screenshot, api, BASE, OPERATOR_TOKEN } from './lib.mjs';

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

test('a subject files an objection and the operator sees it in the queue with its deadline', async () => {
  const me = await openPage(browser);
  await me.goto(BASE + '/me.html');
  await me.getByTestId('login-code').fill(penalty.subject.code);
  await me.getByTestId('login-token').fill(subjectToken);
  await me.getByTestId('login-submit').click();
  await me.getByTestId('me-name').getByText(penalty.subject.name).waitFor();
  await screenshot(me, 'flow-me-records');

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

test('every section of the operator console opens without script errors, charts drawn', async () => {
  const op = await openPage(browser, { token: OPERATOR_TOKEN });
  await op.goto(BASE + '/console/');
  const nav = op.locator('#nav-list a');
  await nav.first().waitFor();
  const sections = await nav.evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  assert.ok(sections.length >= 8, `console sections: ${sections.join(' ')}`);
  for (const href of sections) {
    await op.goto(BASE + '/console/' + href);
    await op.waitForLoadState('networkidle');
    await screenshot(op, 'console-' + href.replace(/[^a-z0-9-]/gi, ''));
  }
  expectNoErrors(op, 'the console sections');
  // The data-quality dashboard draws its charts with ECharts (a canvas per chart).
  await op.goto(BASE + '/console/#quality');
  await op.locator('#view canvas').first().waitFor();
  await op.context().close();
});
