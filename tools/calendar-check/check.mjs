// Independent cross-check of data/calendar/cn_workdays.toml against the npm package
// `chinese-days` (pinned in package.json), which keeps its own transcription of the State
// Council notices. For every day of every year the file covers it compares "is a working day"
// and prints each disagreement; the exit status is non-zero if there is any.
//
// Usage: node check.mjs <path to cn_workdays.toml>
//
// The TOML file is read with a small parser for its own documented format (year tables holding
// `holidays` ranges and `workdays` dates) rather than with the C++ loader, so that a bug in
// src/core/calendar.cc cannot hide a bug in the data.

import { readFileSync } from 'node:fs';
import chineseDays from 'chinese-days';

// Days where we knowingly disagree with chinese-days because it departs from the official
// notice. Each entry: the date, our answer, and the notice that settles it. An entry that no
// longer disagrees is reported too, so this list cannot go stale.
const KNOWN_EXCEPTIONS = [
  // (none: every day agrees with chinese-days 1.5.7)
];

function fail(message) {
  console.error(`calendar-check: ${message}`);
  process.exit(2);
}

// Removes a trailing `# comment`, ignoring '#' inside double-quoted strings.
function stripComment(line) {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inString) i++;
    else if (c === '"') inString = !inString;
    else if (c === '#' && !inString) return line.slice(0, i);
  }
  return line;
}

// Net count of '[' minus ']' outside strings, to know when a multi-line array ends.
function bracketDepth(text) {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && inString) i++;
    else if (c === '"') inString = !inString;
    else if (!inString && c === '[') depth++;
    else if (!inString && c === ']') depth--;
  }
  return depth;
}

const DATE = /\d{4}-\d{2}-\d{2}/g;

// Returns { years: Map<year, { holidays: [[from, to]], workdays: [date] }> }.
function parseCalendar(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  const years = new Map();
  let current = null;
  for (let i = 0; i < lines.length; i++) {
    let line = stripComment(lines[i]).trim();
    if (line === '') continue;
    const header = /^\[(\d{4})\]$/.exec(line);
    if (header) {
      const year = Number(header[1]);
      if (years.has(year)) fail(`${path}:${i + 1}: year ${year} defined twice`);
      current = { holidays: [], workdays: [] };
      years.set(year, current);
      continue;
    }
    const kv = /^(holidays|workdays)\s*=\s*(\[.*)$/.exec(line);
    if (!kv || current === null) fail(`${path}:${i + 1}: unexpected line: ${lines[i]}`);
    let value = kv[2];
    const start = i;
    while (bracketDepth(value) > 0) {
      if (++i >= lines.length) fail(`${path}:${start + 1}: unterminated list`);
      value += ' ' + stripComment(lines[i]).trim();
    }
    if (kv[1] === 'holidays') {
      for (const entry of value.matchAll(/\{([^}]*)\}/g)) {
        const from = /\bfrom\s*=\s*(\d{4}-\d{2}-\d{2})/.exec(entry[1]);
        const to = /\bto\s*=\s*(\d{4}-\d{2}-\d{2})/.exec(entry[1]);
        if (!from || !to) fail(`${path}:${start + 1}: holiday without from/to: {${entry[1]}}`);
        current.holidays.push([from[1], to[1]]);
      }
    } else {
      current.workdays.push(...(value.match(DATE) ?? []));
    }
  }
  if (years.size === 0) fail(`${path}: no year tables`);
  return years;
}

// Dates are handled as UTC midnights so that no time zone or DST shift can move a day.
const toUtc = (s) => new Date(`${s}T00:00:00Z`);
const fmt = (d) => d.toISOString().slice(0, 10);
const nextDay = (d) => new Date(d.getTime() + 86400000);

function main() {
  const path = process.argv[2];
  if (!path) fail('usage: node check.mjs <path to cn_workdays.toml>');
  const years = parseCalendar(path);

  const holidays = new Set();
  const workdays = new Set();
  for (const { holidays: ranges, workdays: days } of years.values()) {
    for (const [from, to] of ranges) {
      for (let d = toUtc(from); d <= toUtc(to); d = nextDay(d)) holidays.add(fmt(d));
    }
    for (const w of days) workdays.add(w);
  }
  const ours = (s, d) => workdays.has(s) || (d.getUTCDay() % 6 !== 0 && !holidays.has(s));

  const sorted = [...years.keys()].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const exceptions = new Map(KNOWN_EXCEPTIONS.map((e) => [e.date, e]));
  const used = new Set();
  let checked = 0;
  let disagreements = 0;
  for (let d = toUtc(`${first}-01-01`); d <= toUtc(`${last}-12-31`); d = nextDay(d)) {
    const s = fmt(d);
    const mine = ours(s, d);
    const theirs = chineseDays.isWorkday(s);
    checked++;
    if (mine === theirs) continue;
    const known = exceptions.get(s);
    if (known && known.ours === mine) {
      used.add(s);
      console.log(`known exception ${s}: ours=${mine} chinese-days=${theirs} (${known.reason})`);
      continue;
    }
    disagreements++;
    const { name } = chineseDays.getDayDetail(s);
    console.log(
      `DISAGREE ${s} (${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]}): ` +
        `${path} says ${mine ? 'working day' : 'day off'}, ` +
        `chinese-days says ${theirs ? 'working day' : 'day off'} (${name})`
    );
  }
  for (const e of KNOWN_EXCEPTIONS) {
    if (!used.has(e.date)) {
      disagreements++;
      console.log(`STALE known exception ${e.date}: no longer disagrees; remove it from check.mjs`);
    }
  }
  console.log(
    `calendar-check: ${checked} days from ${first}-01-01 to ${last}-12-31 compared with ` +
      `chinese-days; ${disagreements} disagreement(s), ${used.size} known exception(s)`
  );
  process.exit(disagreements === 0 ? 0 : 1);
}

main();
