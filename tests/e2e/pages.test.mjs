// Every page of the portal opens without a script error, on a desktop and a phone screen, fits
// the phone's width and names every form control; a screenshot of each is kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, expectNoErrors, screenshot, api, unlabelledControls } from './lib.mjs';

let browser;
let code;
before(async () => {
  browser = await launch();
  const found = await api('/api/v1/search?q=' + encodeURIComponent('公司') + '&limit=1', { token: null });
  assert.ok(found.results.length > 0, 'the generated city has companies');
  code = found.results[0].code;
});
after(async () => { await browser?.close(); });

const publicPages = () => [
  ['home', '/'],
  ['search', '/search.html?q=' + encodeURIComponent('郑州')],
  ['subject', '/subject.html?code=' + code],
  ['publicity-penalty', '/publicity.html?kind=penalty'],
  ['publicity-licence', '/publicity.html?kind=licence'],
  ['list-red', '/lists.html?type=red'],
  ['list-serious', '/lists.html?type=serious_dishonesty'],
  ['commitments', '/commitments.html'],
  ['verify', '/verify.html'],
  ['me-login', '/me.html'],
];

for (const [viewport, size] of [['desktop', { width: 1280, height: 900 }],
                                ['phone', { width: 375, height: 740 }]]) {
  test(`public pages open without script errors (${viewport})`, async () => {
    for (const [name, path] of publicPages()) {
      const page = await openPage(browser, { viewport: size });
      await page.goto(path.startsWith('http') ? path : process.env.XY_BASE + path);
      await page.waitForLoadState('networkidle');
      expectNoErrors(page, `${path} (${viewport})`);
      assert.deepEqual(await unlabelledControls(page), [], `form controls without a label on ${path}`);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px on a ${size.width}px screen`);
      await screenshot(page, `${viewport}-${name}`);
      await page.context().close();
    }
  });
}
