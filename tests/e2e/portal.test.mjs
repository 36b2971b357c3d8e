// The public's path through the portal: search → subject page → its records, and a credit
// report downloaded, then verified offline (`xinyong report verify`) and on the verification page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { launch, openPage, expectNoErrors, screenshot, settled, api, BASE, ARTIFACTS, BIN } from './lib.mjs';

let browser;
let penalty;  // a public penalty of the generated city: { subject: {code, name}, document_number }
before(async () => {
  browser = await launch();
  const listing = await api('/api/v1/publicity?kind=penalty&page_size=50', { token: null });
  penalty = listing.items.find((i) => i.subject.type === 'legal_person' && i.document_number);
  assert.ok(penalty, 'the generated city publishes a penalty of a legal person');
});
after(async () => { await browser?.close(); });

test('search finds a company by a fragment of its name, and its page lists its penalties', async () => {
  const { code, name } = penalty.subject;
  const fragment = name.slice(2, 6);  // past the city's name, inside the firm's own name
  const page = await openPage(browser);
  await page.goto(BASE + '/');
  await page.getByTestId('search-input').fill(fragment);
  await page.getByTestId('search-submit').click();
  await page.waitForURL(/\/search\.html\?/);
  const results = page.getByTestId('search-results');
  await results.locator('a').first().waitFor();
  // The query is highlighted in the names it matched.
  const marked = await results.locator('mark').first().textContent();
  assert.equal(marked, fragment);
  await screenshot(page, 'flow-search-results');

  // Page through the results until the subject appears (results are complete, so it must).
  let link = results.locator(`a[href*="${code}"]`);
  for (let i = 0; i < 50 && (await link.count()) === 0; i++) {
    const next = page.getByRole('button', { name: '下一页' });
    assert.ok(await next.isEnabled(), `${name} not among the results of ${fragment}`);
    await next.click();
    await settled(page, 'search-results');
    link = results.locator(`a[href*="${code}"]`);
  }
  await link.first().click();
  await page.waitForURL(/\/subject\.html\?/);
  await assert.doesNotReject(page.getByTestId('subject-name').getByText(name).waitFor());

  await page.getByRole('tab', { name: /行政处罚/ }).click();
  const panel = page.getByTestId('tab-panel');
  await panel.getByText(penalty.document_number).first().waitFor();
  assert.match(page.url(), /#tab=/, 'the open tab is kept in the address');
  await screenshot(page, 'flow-subject-penalties');

  // Keyboard: the tab list is operable with the arrow keys.
  const selected = page.getByRole('tab', { selected: true });
  await selected.focus();
  await page.keyboard.press('ArrowRight');
  const after = await page.getByRole('tab', { selected: true }).textContent();
  assert.notEqual(after, penalty.document_number);
  assert.doesNotMatch(after, /行政处罚/, 'ArrowRight moved to the next tab');
  expectNoErrors(page, 'search → subject → records');
  await page.context().close();
});

test('a credit report is downloaded from the subject page and verifies, offline and online', async () => {
  const { code } = penalty.subject;
  const page = await openPage(browser);
  await page.goto(`${BASE}/subject.html?code=${code}`);
  await page.getByTestId('subject-name').waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('report-download').click(),
  ]);
  const file = path.join(ARTIFACTS, 'report.pdf');
  await download.saveAs(file);
  const number = (await page.locator('#report-number').textContent()).trim();
  assert.match(number, /^XYBG-\d{8}-\d{6}-[0-9A-Z]{8}$/);
  await screenshot(page, 'flow-report-issued');

  // Offline, with the published public key only.
  const key = await fetch(BASE + '/api/v1/reports/public-key').then((r) => r.text());
  const keyFile = path.join(ARTIFACTS, 'report-public-key.txt');
  await writeFile(keyFile, key);
  const { stdout } = await promisify(execFile)(BIN, ['report', 'verify', file, '--public-key', keyFile]);
  assert.match(stdout, new RegExp(number));

  // Online, through the link the page gives.
  await page.locator('#report-verify-link').click();
  await page.waitForURL(/verify\.html/);
  const verdict = page.getByTestId('verify-result');
  await verdict.getByText('有效（Ed25519）').waitFor();
  assert.match(await verdict.textContent(), new RegExp(number));
  // What the report said, record by record: the penalty is there to compare with the file.
  await page.getByTestId('verify-sections').getByText(penalty.document_number).first().waitFor();
  await screenshot(page, 'flow-report-verified');
  expectNoErrors(page, 'report download and verification');
  await page.context().close();
});

test('the 双公示 listing filters penalties by the authority typed in', async () => {
  const authority = penalty.authority;
  assert.ok(authority, 'the listed penalty names its authority');
  const page = await openPage(browser, { viewport: { width: 375, height: 740 } });
  await page.goto(BASE + '/publicity.html?kind=penalty');
  await page.getByTestId('publicity-item').first().waitFor();
  await page.getByLabel('决定机关').fill(authority);
  await page.getByTestId('publicity-submit').click();
  await page.waitForURL(/dept=/);
  await settled(page, 'publicity-items');
  const items = page.getByTestId('publicity-item');
  const texts = await items.allTextContents();
  assert.ok(texts.length > 0, `no penalties listed for ${authority}`);
  for (const t of texts) assert.ok(t.includes(authority), `an item of another authority: ${t.slice(0, 80)}`);
  await screenshot(page, 'flow-publicity-by-authority');
  expectNoErrors(page, 'the 双公示 listing');
  await page.context().close();
});
