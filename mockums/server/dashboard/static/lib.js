// Small helpers shared by the dashboard's views: building DOM safely, calling the control API,
// formatting, polling. Every text that comes from the sandbox goes in as a text node, never as HTML.

export class ApiError extends Error {
  constructor(status, message, answer) {
    super(message);
    this.status = status;
    this.answer = answer;
  }
}

// The control API, relative to this page (/__mockums/): `api("GET", "journal", {since: 3})`.
export async function api(method, path, query, body) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const search = params.toString();
  const url = path + (search ? `?${search}` : "");
  const init = { method, headers: { Accept: "application/json" }, cache: "no-store" };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new ApiError(0, `mockums does not answer (${error.message})`, null);
  }
  const text = await response.text();
  let answer = text;
  try {
    answer = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  if (!response.ok) {
    const message = answer && typeof answer === "object" && answer.error ? answer.error : text;
    throw new ApiError(response.status, `${method} ${path}: HTTP ${response.status}: ${message}`, answer);
  }
  return answer;
}

export const enc = encodeURIComponent;

// h("a", {href: "#", class: "x", onclick: fn}, "text", child…): an element; null children are skipped.
export function h(tag, attrs, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replace an element's content, keeping keyboard focus on the element with the same id if there is one.
export function fill(element, ...children) {
  const focused = document.activeElement;
  const focusId = focused && element.contains(focused) ? focused.id : "";
  element.replaceChildren();
  append(element, children);
  if (focusId) {
    const again = document.getElementById(focusId);
    if (again) again.focus({ preventScroll: true });
  }
}

// A definition list of [term, value] pairs; pairs whose value is null or "" are left out.
export function facts(pairs, attrs) {
  const list = h("dl", { class: "mk-facts", ...attrs });
  for (const [term, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    list.append(h("dt", null, term), h("dd", null, value));
  }
  return list;
}

export function code(text) {
  return h("code", null, text);
}

export function badge(text, tone) {
  return h("span", { class: `mk-badge mk-${tone}` }, text);
}

const STATUS_TONES = {
  TRADE_SUCCESS: "ok", SUCCESS: "ok", TRADE_REFUND: "info", TRADE_CLOSED: "neutral",
  NEW_ORDER: "warn", WAIT_BUYER_PAY: "warn", PROCESSING: "warn", FAIL: "bad", UNKNOWN: "warn",
};

export function statusBadge(status) {
  return badge(status || "?", STATUS_TONES[status] || "neutral");
}

// Epoch seconds as Beijing time, yyyy-MM-dd HH:mm:ss (the sandbox's own notation).
export function beijing(epoch, withMillis) {
  if (epoch === null || epoch === undefined) return "";
  const text = new Date(epoch * 1000 + 8 * 3600 * 1000).toISOString().replace("T", " ");
  return withMillis ? text.slice(0, 23) : text.slice(0, 19);
}

export function fen(amount) {
  if (amount === null || amount === undefined) return "";
  return `¥${(Number(amount) / 100).toFixed(2)} (${amount} fen)`;
}

// Run `task` every `ms` while `active()` says so and the page is visible; `poke()` runs it now, and
// `burst()` runs it now and then every FAST_MS for a moment (while something just done plays out).
const FAST_MS = 200;

export function poller(ms, task, active) {
  let timer = null;
  let running = false;
  let fastUntil = 0;
  async function tick() {
    clearTimeout(timer);
    if (!running && !document.hidden && active()) {
      running = true;
      try {
        await task();
        online(); // it answered: whatever the banner said (mockums or its store away) is over
      } catch (error) {
        report(error);
      } finally {
        running = false;
      }
    }
    timer = setTimeout(tick, Date.now() < fastUntil ? Math.min(ms, FAST_MS) : ms);
  }
  document.addEventListener("visibilitychange", () => { if (!document.hidden) tick(); });
  timer = setTimeout(tick, 0);
  return {
    poke: tick,
    burst(duration = 3000) {
      fastUntil = Date.now() + duration;
      tick();
    },
  };
}

let toastTimer = null;

// A short message in the status area (read out by screen readers).
export function say(message, tone) {
  const toast = document.getElementById("toast");
  toast.className = tone === "bad" ? "mk-toast mk-bad" : "mk-toast";
  toast.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.textContent = ""; }, tone === "bad" ? 9000 : 5000);
}

// An error from the control API: in the toast, and in the banner when mockums stopped answering or its store
// (Redis) cannot be reached (503: the answer says why; the polls go on, and the banner goes when one succeeds).
export function report(error) {
  const offline = document.getElementById("offline");
  if (error instanceof ApiError && error.status === 503) {
    offline.textContent = `${error.answer && error.answer.error ? error.answer.error : error.message}. Retrying…`;
    offline.hidden = false;
    return;
  }
  if (error instanceof ApiError && error.status === 0) {
    offline.textContent = `${error.message}. Retrying…`;
    offline.hidden = false;
    return;
  }
  offline.hidden = true;
  say(error.message || String(error), "bad");
}

export function online() {
  document.getElementById("offline").hidden = true;
}

// A button whose first press arms it (its text asks again) and whose second press acts.
export function confirming(button, action) {
  const original = button.textContent;
  button.addEventListener("click", async () => {
    if (!button.hasAttribute("data-armed")) {
      button.setAttribute("data-armed", "");
      button.textContent = button.dataset.confirm || "Press again to confirm";
      setTimeout(() => disarm(), 6000);
      return;
    }
    disarm();
    await action();
  });
  button.addEventListener("blur", () => disarm());
  function disarm() {
    button.removeAttribute("data-armed");
    button.textContent = original;
  }
}

// Run an action from a button: disabled while it runs, errors reported.
export async function busy(button, action) {
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (error) {
    report(error);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

// The JSON text of a request or answer pretty-printed when it parses, as sent otherwise.
// The code that means success on the line an endpoint belongs to (its `success` in /endpoints); "" when unknown.
// The token endpoint is no product line's: its success is the gateway's "0000" (正常).
const TOKEN_PATH = "/v1/token/access";

export function successOf(endpoints, path) {
  if (path === TOKEN_PATH) return "0000";
  const found = (endpoints || []).find((item) => item.path === path);
  return found ? found.success : "";
}

// The message of a business answer: errMsg on the netpay lines, errInfo on others.
export function messageOf(answer) {
  return answer ? answer.errMsg || answer.errInfo || "" : "";
}

export function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
