// Shared by the browser tests: the server run.sh started, a Chromium per test file, and a page
// that records every script error. Environment (set by run.sh): XY_BASE, XY_OPERATOR_TOKEN,
// XY_ARTIFACTS, XY_BIN, XY_WORK, XY_CHROMIUM.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import path from 'node:path';

export const BASE = process.env.XY_BASE;
export const OPERATOR_TOKEN = process.env.XY_OPERATOR_TOKEN;
export const ARTIFACTS = process.env.XY_ARTIFACTS;
export const BIN = process.env.XY_BIN;
export const WORK = process.env.XY_WORK;
if (!BASE || !OPERATOR_TOKEN || !ARTIFACTS) {
  throw new Error('run the browser tests through tests/e2e/run.sh (XY_BASE and the rest are unset)');
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.XY_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

// A page (in a fresh context, so sessionStorage is its own) that collects uncaught exceptions,
// console errors and server errors (5xx). A refused API call (4xx) is an answer the page must
// show, not a script error; Chromium's own "Failed to load resource" line for it is ignored.
export async function openPage(browser, { viewport = { width: 1280, height: 900 }, token } = {}) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', acceptDownloads: true });
  if (token) {
    await context.addInitScript((t) => sessionStorage.setItem('xinyong.token', t), token);
  }
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      page.errors.push(`console.error: ${m.text()}`);
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 500) page.errors.push(`HTTP ${r.status()} from ${r.url()}`);
  });
  return page;
}

export function expectNoErrors(page, where) {
  assert.deepEqual(page.errors, [], `script errors on ${where}`);
}

export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// The API as a script would call it (the tests' own set-up and checks, not the page's).
export async function api(pathname, { method = 'GET', body, token = OPERATOR_TOKEN } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  // A string is sent as it is (a CSV file); anything else as JSON.
  const raw = typeof body === 'string';
  if (body !== undefined) headers['Content-Type'] = raw ? 'text/csv' : 'application/json';
  const res = await fetch(BASE + pathname, {
    method, headers, body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  if (!res.ok) {
    throw new Error(`${method} ${pathname}: HTTP ${res.status} ${text.slice(0, 300)}`);
  }
  return json;
}

// Form controls a screen reader could not name: no <label>, aria-label or aria-labelledby.
export async function unlabelledControls(page) {
  return page.evaluate(() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea')]
    .filter((c) => !c.closest('[hidden]') && c.labels.length === 0 &&
                   !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
    .map((c) => c.id || c.name || c.outerHTML.slice(0, 80)));
}

// Waits until the list with this test id shows its answer: the pages mark a list aria-busy from
// the moment they clear it until their request is answered. (waitForLoadState('networkidle')
// does not do this after history.pushState: the page is idle already when it is asked.)
export async function settled(page, testid) {
  await page.locator(`[data-testid="${testid}"]:not([aria-busy="true"])`).waitFor({ state: 'attached' });
}
