// Shared helpers for the portal (web/) and the operator console (web/console/): one fetch
// wrapper for the JSON API under /api/v1 and small DOM helpers that never parse HTML.
// Every text that comes from the API is put into the page as textContent, never as markup.

/** An error answer from the API ({"error":{code,message,details}}) or a network failure. */
export class ApiError extends Error {
  constructor(status, code, message, details = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;    // HTTP status; 0 when the server could not be reached
    this.code = code;        // the API's error code, e.g. "permission_denied"
    this.details = details;  // null or an object naming the offending parameter/field
  }
}

const TOKEN_KEY = 'xinyong.token';

/** The bearer token this browser tab keeps (sessionStorage), or null. */
export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Keeps (or, given a falsy value, forgets) the token for this tab. */
export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token lives only as long as the page.
  }
}

/**
 * Calls the API. `path` is relative to /api/v1 ("/search?q=…") or absolute ("/api/v1/…").
 * `body` is sent as JSON unless it is a string, Blob, FormData or ArrayBuffer (then as given;
 * pass `contentType` for those). `query` is an object of query parameters (null/'' skipped).
 * `accept`: 'json' (default) parses JSON; 'blob' returns {blob, headers}; 'text' returns text;
 * 'response' returns the raw Response (after the status check).
 * Throws ApiError for a non-2xx answer (status, code, message from the error body) and for a
 * network failure (status 0, code "network").
 */
export async function api(path, { method = 'GET', body, token, accept = 'json', query,
                                  contentType, headers: extra } = {}) {
  let url = path.startsWith('/api/') ? path : '/api/v1' + (path.startsWith('/') ? '' : '/') + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue;
      params.append(k, String(v));
    }
    const s = params.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const headers = { ...(extra || {}) };
  if (token) headers.Authorization = 'Bearer ' + token;
  if (accept === 'json') headers.Accept = 'application/json';
  let payload;
  if (body !== undefined && body !== null) {
    if (typeof body === 'string' || body instanceof Blob || body instanceof ArrayBuffer ||
        body instanceof FormData) {
      payload = body;
      if (contentType) headers['Content-Type'] = contentType;
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  let res;
  try {
    res = await fetch(url, { method, headers, body: payload });
  } catch (e) {
    throw new ApiError(0, 'network', '无法连接服务器（' + (e && e.message ? e.message : 'network error') + '）');
  }
  if (!res.ok) {
    let code = 'http_' + res.status;
    let message = res.statusText || ('HTTP ' + res.status);
    let details = null;
    try {
      const data = await res.json();
      if (data && data.error) {
        code = data.error.code || code;
        message = data.error.message || message;
        details = data.error.details ?? null;
      }
    } catch {
      // Not a JSON error body; keep the HTTP status text.
    }
    throw new ApiError(res.status, code, message, details);
  }
  if (accept === 'response') return res;
  if (accept === 'blob') return { blob: await res.blob(), headers: res.headers };
  if (accept === 'text') return res.text();
  if (res.status === 204) return null;
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(res.status, 'bad_response', '服务器返回的内容不是 JSON');
  }
}

const CODE_ZH = {
  network: '无法连接服务器',
  invalid_argument: '请求参数有误',
  unauthenticated: '未登录或令牌无效',
  permission_denied: '无权访问',
  not_found: '未找到',
  already_exists: '已存在',
  failed_precondition: '当前状态不允许此操作',
  resource_exhausted: '请求过大',
  unavailable: '服务暂时不可用',
  method_not_allowed: '不支持的请求方法',
  unsupported_media_type: '不支持的内容类型',
  internal: '服务器内部错误',
  data_loss: '服务器数据错误',
};

/** A Chinese sentence for an error, with the server's own message beside it. */
export function errorText(err) {
  if (err instanceof ApiError) {
    const zh = CODE_ZH[err.code] || ('请求失败（HTTP ' + err.status + '）');
    if (err.code === 'network') return err.message;
    return zh + '：' + err.message;
  }
  return '出现错误：' + (err && err.message ? err.message : String(err));
}

/**
 * Builds an element. `attrs`: className/class, dataset (object), style (string), on<Event>
 * functions (onclick…), boolean attributes (true sets, false/null skips), others as attributes.
 * Children: strings/numbers become text nodes, null/undefined/false are skipped, arrays flattened.
 */
export function el(tag, attrs = null, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'className' || k === 'class') node.className = v;
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2).toLowerCase(), v);
      else if (v === true) node.setAttribute(k, '');
      else node.setAttribute(k, String(v));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else if (c instanceof Node) node.append(c);
    else node.append(document.createTextNode(String(c)));
  }
}

/** Replaces a node's children (same child rules as el). */
export function setChildren(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/**
 * The label of a subject's display code: a USCC (18 characters of its alphabet), a natural
 * person's code (P and 20 hex digits) or another registration code (a legacy code).
 */
export function codeLabel(code) {
  if (/^P[0-9A-Fa-f]{20}$/.test(code || '')) return '主体代码';
  return /^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code || '') ? '统一社会信用代码' : '登记代码';
}

/** Query parameters of the current page as a URLSearchParams (or one value, given a name). */
export function qs(name) {
  const p = new URLSearchParams(location.search);
  return name === undefined ? p : p.get(name);
}

/**
 * Formats a date or timestamp for people: "2026-03-01" stays as is; an ISO timestamp becomes
 * "2026-03-01 08:30" in Beijing time. Empty values become "—".
 */
export function fmtDate(value, { time = true } = {}) {
  if (value === undefined || value === null || value === '') return '—';
  const s = String(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hour12: false,
  }).formatToParts(d);
  const get = (t) => (parts.find((p) => p.type === t) || {}).value || '';
  const date = `${get('year')}-${get('month')}-${get('day')}`;
  return time ? `${date} ${get('hour')}:${get('minute')}` : date;
}

/** Saves a Blob as a file download. */
export function downloadBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: filename });
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
