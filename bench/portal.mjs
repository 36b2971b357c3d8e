// How fast a subject page (subject.html) renders in headless Chromium on loopback: from the start
// of the navigation to the moment the profile and its first tab are on screen (the page writes
// document.body.dataset.readyMs). Beside it, the anchors of the same run: the page's two API
// answers fetched by a script (no browser), and a static page of the portal with no API call.
// Usage: node bench/portal.mjs BASE_URL CODES_FILE [pages]
import { chromium } from '../tests/e2e/node_modules/playwright-core/index.mjs';
import { readFile } from 'node:fs/promises';

const [base, codesFile, pagesArg] = process.argv.slice(2);
const codes = (await readFile(codesFile, 'utf8')).split('\n').filter(Boolean);
const pages = Math.min(Number(pagesArg || 200), codes.length);

function quantiles(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return `n=${s.length} p50=${q(0.5).toFixed(1)} p95=${q(0.95).toFixed(1)} p99=${q(0.99).toFixed(1)} max=${s[s.length - 1].toFixed(1)} ms`;
}

const browser = await chromium.launch({ executablePath: process.env.XY_CHROMIUM || '/usr/bin/chromium',
                                        args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const errors = [];
async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  return page;
}
async function render(page, code) {
  await page.goto(`${base}/subject.html?code=${encodeURIComponent(code)}`);
  const handle = await page.waitForFunction(() => document.body.dataset.readyMs, null, { timeout: 10000 });
  return Number(await handle.jsonValue());
}

// A first visit: a fresh browser context each time (empty HTTP cache and sessionStorage, so the
// portal's CSS, scripts and the catalog are fetched too).
const cold = [];
for (let i = 0; i < 20; i++) {
  const p = await newPage();
  cold.push(await render(p, codes[i % codes.length]));
  await p.context().close();
}
// A visitor who has opened one page before: the browser's cache holds the portal's files.
const page = await newPage();
await render(page, codes[0]);
const subject = [];
for (let i = 1; i <= pages; i++) subject.push(await render(page, codes[i % codes.length]));

const stat = [];
for (let i = 0; i < 50; i++) {
  await page.goto(`${base}/verify.html`);
  stat.push(await page.evaluate(() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd));
}

const apiOnly = [];
for (let i = 1; i <= pages; i++) {
  const code = codes[i % codes.length];
  const t0 = performance.now();
  await Promise.all([
    fetch(`${base}/api/v1/subjects/${encodeURIComponent(code)}`).then((r) => r.arrayBuffer()),
    fetch(`${base}/api/v1/subjects/${encodeURIComponent(code)}/records?page=1&page_size=10`).then((r) => r.arrayBuffer()),
  ]);
  apiOnly.push(performance.now() - t0);
}
await browser.close();

console.log(`portal_subject_page_first_visit ${quantiles(cold)} (empty cache)`);
console.log(`portal_subject_page_render ${quantiles(subject)} (goal: under 300 ms)`);
console.log(`portal_static_page_domcontentloaded ${quantiles(stat)} (anchor: no API call)`);
console.log(`portal_subject_api_only ${quantiles(apiOnly)} (anchor: profile + first records page by a script)`);
if (errors.length) {
  console.error(`script errors: ${errors.join('; ')}`);
  process.exit(1);
}
